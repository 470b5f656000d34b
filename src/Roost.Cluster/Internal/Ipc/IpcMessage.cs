using System.Text.Json.Serialization;

namespace Roost.Clustering.Internal.Ipc;

/// <summary>
/// One message on a worker's IPC channel: one JSON object per line, its kind in the <c>type</c> property. Each
/// kind is its own record; receivers dispatch through a table keyed by the record type (never an if-chain on strings).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type", UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(OnlineMessage), "online")]
[JsonDerivedType(typeof(ListenRequestMessage), "listen")]
[JsonDerivedType(typeof(ListenResponseMessage), "listen-response")]
[JsonDerivedType(typeof(ListeningMessage), "listening")]
[JsonDerivedType(typeof(HeartbeatMessage), "heartbeat")]
[JsonDerivedType(typeof(StopMessage), "stop")]
[JsonDerivedType(typeof(UserMessage), "message")]
[JsonDerivedType(typeof(ConnectionMessage), "connection")]
[JsonDerivedType(typeof(LoadMessage), "load")]
[JsonDerivedType(typeof(ConnectionReceivedMessage), "connection-received")]
[JsonDerivedType(typeof(BroadcastMessage), "broadcast")]
[JsonDerivedType(typeof(ReloadCertificatesMessage), "reload-certificates")]
[JsonDerivedType(typeof(CertificatesReloadedMessage), "certificates-reloaded")]
[JsonDerivedType(typeof(SpareWaitingMessage), "spare-waiting")]
[JsonDerivedType(typeof(PromoteMessage), "promote")]
[JsonDerivedType(typeof(TicketKeysMessage), "ticket-keys")]
[JsonDerivedType(typeof(TlsFilesMessage), "tls-files")]
[JsonDerivedType(typeof(AcmeChallengeMessage), "acme-challenge")]
[JsonDerivedType(typeof(AcmeChallengeHeldMessage), "acme-challenge-held")]
internal abstract record IpcMessage;

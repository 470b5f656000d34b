namespace Roost.Acme;

/// <summary>Automatic certificates cannot start: the names are locked by another instance, the CA trust file is bad, or the HTTP-01 port cannot be bound.</summary>
internal sealed class AcmeSetupException(string message, Exception? innerException = null) : Exception(message, innerException);

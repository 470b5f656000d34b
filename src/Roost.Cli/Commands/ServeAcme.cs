using System.Net;
using Microsoft.Extensions.Logging;
using Roost.Acme;
using Roost.Cli.Configuration;
using Roost.Tls;

namespace Roost.Cli.Commands;

/// <summary>
/// <c>roost serve --domain</c> and <c>roost run --domain</c>: the settings of automatic certificates, and the step that
/// obtains the certificate before anything serves. The process that talks to the CA (the primary, or the single process of
/// <c>--workers 0</c>) runs an <see cref="AcmeCertificateManager"/>; every server, in it or in the workers, loads
/// the files the manager writes, with their usual check, file watch and hot swap.
/// </summary>
internal static class ServeAcme
{
    /// <summary>The ACME settings from the effective settings, or <see langword="null"/> without --domain.</summary>
    public static AcmeSettings? From(EffectiveSettings settings)
    {
        if (settings.Get(RoostSettings.Domain) is not { Length: > 0 } names)
        {
            return null;
        }

        return new AcmeSettings(
            [.. names.Select(n => n.ToLowerInvariant()).Distinct(StringComparer.Ordinal)],
            AcmeSettings.ResolveDirectory(settings.Get(RoostSettings.AcmeCa)!),
            settings.Get(RoostSettings.AcmeEmail),
            settings.Get(RoostSettings.AcmeAgreeTos),
            settings.Get(RoostSettings.AcmeDir) ?? AcmeStorage.DefaultRoot)
        {
            SettingNames = AcmeSettingNames.Cli,
            KeyType = settings.Get(RoostSettings.AcmeKeyType) == "rsa2048" ? AcmeKeyType.Rsa2048 : AcmeKeyType.EcP256,
            HttpPort = settings.Get(RoostSettings.AcmeHttpPort),
            Challenge = settings.Get(RoostSettings.AcmeChallenge) switch
            {
                "http-01" => AcmeChallengeType.Http01,
                "tls-alpn-01" => AcmeChallengeType.TlsAlpn01,
                _ => AcmeChallengeType.Auto,
            },
            HttpsPort = settings.Get(RoostSettings.Port),
            CaCertificateFile = settings.Get(RoostSettings.AcmeCaCert),
            FallbackToDevelopment = settings.Get(RoostSettings.AcmeFallback) == "dev",
        };
    }

    /// <summary>The problem with combining --domain with the other settings, or <see langword="null"/>.</summary>
    public static string? Validate(ServeSettings settings)
    {
        if (settings.Acme is not { } acme)
        {
            return null;
        }

        if (!settings.Tls.IsEmpty)
        {
            return "--domain obtains the certificate automatically and cannot be combined with --cert, --key, --ca or --pfx. Remove one or the other.";
        }

        if (acme.Challenge == AcmeChallengeType.Http01 && acme.HttpPort == 0)
        {
            return "--acme-challenge http-01 needs the HTTP-01 listener, but --acme-http-port is 0. Give --acme-http-port (the CA connects to port 80), or use --acme-challenge tls-alpn-01.";
        }

        if (!acme.AgreeToTermsOfService)
        {
            return $"--domain '{string.Join(", ", acme.Names)}' needs --acme-agree-tos: read the terms of service of the ACME CA ('{acme.DirectoryUrl}'; Let's Encrypt: https://letsencrypt.org/repository/) and pass --acme-agree-tos to agree.";
        }

        return null;
    }

    /// <summary>The settings the servers use: the TLS files are the managed certificate's, and always watched (renewals replace them).</summary>
    public static ServeSettings WithManagedFiles(ServeSettings settings)
    {
        if (settings.Acme is not { } acme)
        {
            return settings;
        }

        var storage = acme.Storage;
        return settings with { Tls = settings.Tls with { Cert = storage.CertPath, Key = storage.KeyPath, Watch = true, RenewedByAcme = true } };
    }

    /// <summary>
    /// The primary's side of --domain (roost serve and roost run clusters): without it, the settings unchanged; with it,
    /// the started manager (<see cref="StartAsync"/>) and the settings the workers use (<see cref="WithManagedFiles"/>),
    /// or the exit code when the command must end.
    /// </summary>
    public static async Task<(AcmeCertificateManager? Manager, ServeSettings Settings, int? ExitCode)> StartInPrimaryAsync(ServeSettings settings, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (settings.Acme is null)
        {
            return (null, settings, null);
        }

        var (manager, exitCode) = await StartAsync(settings, loggerFactory, cancellationToken).ConfigureAwait(false);
        return (manager, WithManagedFiles(settings), exitCode);
    }

    /// <summary>
    /// Starts the manager and waits until a certificate can be served (ordering one at first start; failed attempts
    /// are logged and retried with back-off). Returns the running manager, or the exit code after the error was printed.
    /// </summary>
    public static async Task<(AcmeCertificateManager? Manager, int? ExitCode)> StartAsync(ServeSettings settings, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var acme = settings.Acme!;
        if (!ServeAndRun.TryParseHost(settings.Host, out var address))
        {
            return (null, CommandErrors.Fail(ErrorMessages.HostInvalid(settings.Host), ExitCodes.InvalidUsage));
        }

        AcmeCertificateManager manager;
        try
        {
            manager = AcmeCertificateManager.Start(acme, address.Equals(IPAddress.Any) ? IPAddress.Any : address, loggerFactory.CreateLogger("Roost.Acme"));
        }
        catch (AcmeSetupException ex)
        {
            return (null, CommandErrors.Fail(ex.Message, ExitCodes.ListenFailed));
        }

        if (acme.FallbackToDevelopment && !manager.HasCertificate)
        {
            // The servers start at once on the development chain, put in the managed files' place; the renewal loop
            // orders the first certificate and the servers' watchers swap it in.
            try
            {
                manager.InstallDevelopmentPlaceholder();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                await manager.DisposeAsync().ConfigureAwait(false);
                return (null, CommandErrors.Fail($"--acme-fallback dev: the development chain cannot be put in place of the certificate for '{string.Join(", ", acme.Names)}' ('{acme.Storage.CertPath}'): {ex.Message} Check the folder's permissions, or leave out --acme-fallback.", ExitCodes.CertificateInvalid));
            }

            manager.StartRenewals();
            return (manager, null);
        }

        try
        {
            await manager.EnsureCertificateAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            await manager.DisposeAsync().ConfigureAwait(false);
            Console.Error.WriteLine($"Stopped before a certificate for '{string.Join(", ", acme.Names)}' was obtained.");
            return (null, ExitCodes.Ok);
        }

        manager.StartRenewals();
        return (manager, null);
    }
}

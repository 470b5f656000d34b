using System.Globalization;

namespace Roost;

/// <summary>The messages of TLS session resumption (ticket key files, the runtime check).</summary>
internal static partial class ErrorMessages
{
    public static string TicketKeyFileTooOpen(string path, string option, UnixFileMode mode) =>
        $"Session ticket key file '{path}' (option {option}) can be read by other users (mode {Convert.ToString((int)mode, 8)}); anyone who reads it can decrypt recorded sessions. Run 'chmod 600 {path}'.";

    public static string TicketKeyFileUnreadable(string path, string option, string reason) =>
        $"Session ticket key file '{path}' (option {option}) cannot be read: {reason} Check the path and that the server's user can read it.";

    public static string TicketKeyFileBadLine(string path, string option, int line, int length) =>
        string.Create(CultureInfo.InvariantCulture, $"Line {line} of session ticket key file '{path}' (option {option}) is not the base64 of 80 bytes (it has {length} characters; 80 bytes are 108 characters of base64). Write one key per line, e.g. with 'head -c 80 /dev/urandom | base64 -w0'.");

    public static string TicketKeyFileEmpty(string path, string option) =>
        $"Session ticket key file '{path}' (option {option}) holds no key. Write one key per line (the first encrypts), e.g. with 'head -c 80 /dev/urandom | base64 -w0'.";

    public static string ResumptionUnavailable(string reason) =>
        $"TLS sessions resume only on the worker that issued them (per-process ticket keys) and TLS 1.2 sessions not at all: {reason} Roost reaches OpenSSL's context behind SslStream on Linux with .NET 10; this runtime differs. Report it with 'dotnet --info'; serving goes on.";
}

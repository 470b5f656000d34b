using Microsoft.Extensions.Logging;

namespace Roost.Cli;

/// <summary>Console logging for the CLI's servers.</summary>
internal static class Logging
{
    public static ILoggerFactory Create(string format) => LoggerFactory.Create(builder =>
    {
        builder.SetMinimumLevel(LogLevel.Information);

        // Kestrel's per-connection noise (bad handshakes from scanners, resets) is Debug; keep its warnings.
        builder.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        if (format == "json")
        {
            builder.AddJsonConsole(o => o.TimestampFormat = "O");
        }
        else
        {
            builder.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "HH:mm:ss ";
            });
        }
    });
}

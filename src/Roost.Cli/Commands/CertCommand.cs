using System.CommandLine;
using Roost.Tls;

namespace Roost.Cli.Commands;

/// <summary><c>roost cert</c>: certificate tools.</summary>
internal static class CertCommand
{
    public static Command Create()
    {
        var dev = new Command("dev", "Create (or show) the local development chain: a root CA, an intermediate and a leaf for localhost, 127.0.0.1 and ::1. Prints the file paths.");
        dev.SetAction(_ =>
        {
            var files = DevelopmentCertificates.Ensure();
            Console.WriteLine($"directory: {files.Directory}");
            Console.WriteLine($"cert:      {files.CertPath}");
            Console.WriteLine($"key:       {files.KeyPath}");
            Console.WriteLine($"chain:     {files.ChainPath}");
            Console.WriteLine($"root:      {files.RootPath}");
            Console.WriteLine(files.Created ? "created:   yes" : "created:   no (reused; renewed automatically 14 days before expiry)");
            return ExitCodes.Ok;
        });

        return new Command("cert", "Certificate tools.") { dev, CertCheckCommand.Create(), CertStatusCommand.Create() };
    }
}

using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.FileProviders;

namespace Roost.Cli.Files;

/// <summary>
/// The hosting environment the static-file middlewares ask for in their constructors. They are given their file
/// provider explicitly, so only the shape matters: web root and content root are the served folder.
/// </summary>
internal sealed class StaticSiteEnvironment(string root, IFileProvider files) : IWebHostEnvironment
{
    public string WebRootPath { get; set; } = root;

    public IFileProvider WebRootFileProvider { get; set; } = files;

    public string ApplicationName { get; set; } = "roost";

    public IFileProvider ContentRootFileProvider { get; set; } = files;

    public string ContentRootPath { get; set; } = root;

    public string EnvironmentName { get; set; } = "Production";
}

namespace Roost;

/// <summary>The control socket (<c>roost status</c>, <c>reload</c>, <c>scale</c>, <c>stop</c>).</summary>
public sealed partial class ClusterOptions
{
    /// <summary>The most workers a cluster runs (<see cref="Cluster.ScaleAsync"/>, <c>roost scale</c>, <c>--workers</c>).</summary>
    public const int MaxWorkers = 1024;

    /// <summary>
    /// Gets or sets a value indicating whether the primary listens on a control socket, so that <c>roost status</c>,
    /// <c>roost reload</c>, <c>roost scale</c> and <c>roost stop</c> can reach it. The socket is
    /// <c>&lt;run directory&gt;/control.sock</c>, mode 0600 in a 0700 directory; only the primary's own user is served
    /// (checked with SO_PEERCRED). Opening it fails the first <see cref="Cluster.Fork"/> with
    /// <see cref="InvalidOperationException"/> when another live primary uses the same name.
    /// </summary>
    /// <remarks>Defaults to <see langword="false"/> (Node's API has no control socket); <c>roost serve</c> always opens one.</remarks>
    public bool ControlSocket { get; set; }

    /// <summary>
    /// Gets or sets the instance name: the folder of the run directory under <c>/run/roost</c> (root),
    /// <c>$XDG_RUNTIME_DIR/roost</c> or <c>~/.local/state/roost</c>, and what <c>roost status --name</c> takes.
    /// Letters, digits, '.', '_' and '-'.
    /// </summary>
    /// <remarks>Defaults to <see langword="null"/>: the port of the first end point bound with <see cref="Cluster.Listen"/>, else the process name.</remarks>
    public string? Name { get; set; }

    /// <summary>Gets or sets the run directory itself (the socket is created in it), instead of one derived from <see cref="Name"/>.</summary>
    /// <remarks>Defaults to <see langword="null"/>.</remarks>
    public string? RunDirectory { get; set; }
}

namespace Roost.Clustering.Internal;

/// <summary>Messages of live scaling, the control socket and certificate reloads through it.</summary>
internal static partial class ClusterErrorMessages
{
    public static string ScaleOutOfRange(int workers, int max) => workers <= 0
        ? $"Cannot scale to {workers} worker(s): the count must be between 1 and {max}. To stop every worker, stop the cluster ('roost stop' or Cluster.StopAsync)."
        : $"Cannot scale to {workers} worker(s): the count must be between 1 and {max}. Ask for {max} or fewer.";

    public static string ScaleRelativeOutOfRange(int current, int delta, int max) =>
        $"Cannot scale by {delta:+#;-#;0}: {current} worker(s) now would become {(long)current + delta}, but the count must be between 1 and {max}.";

    public static string Busy(string running, string asked) =>
        $"Cannot {asked} now: a {running} is running. Wait for it to finish ('roost status' shows it), then try again.";

    public static string RecycleNotRunning() =>
        "Cannot recycle a worker: the cluster is not running (it is stopping or has stopped).";

    public static string RecycleNoSuchWorker(int id, string serving) =>
        $"Cannot recycle worker {id}: no serving worker has that id (serving: {(serving.Length == 0 ? "none" : serving)}). 'roost status' lists the workers.";

    public static string RecycleNotReady(int id, int pid, int generation) =>
        $"Cannot recycle worker {id} (pid {pid}, generation {generation}): it is still starting. Wait until it is ready, then try again.";

    public static string ScaleNotRunning() =>
        "Cannot scale: the cluster is not running (it is stopping or has stopped).";

    public static string ScaleWorkerExited(int id, int pid, int generation, string exit) =>
        $"Scale failed: new worker {id} (pid {pid}, generation {generation}) {exit} before it listened; it is not restarted and the other workers keep serving. Fix the startup error shown in the worker's log lines above, then scale again.";

    public static string ScaleSpawnFailed(int slot, string reason) =>
        $"Scale failed: cannot start a new worker for slot {slot} ({reason}); the other workers keep serving.";

    public static string ScaleStopping(string reason) =>
        $"The scale was cut short because the cluster is stopping ({reason}).";

    public static string ControlSocketInUse(string path, string name) =>
        $"Another primary is running and answering on the control socket '{path}' (instance '{name}'). Stop it first ('roost stop' with the same --name or --run-dir), or give this one another --name (or --run-dir).";

    public static string ControlSocketFailed(string path, string reason) =>
        $"Cannot create the control socket '{path}': {reason}. Choose a writable run directory with --run-dir (or ClusterOptions.RunDirectory).";

    public static string ControlDirectoryNotPrivate(string path, string mode, int owner) =>
        $"The run directory '{path}' is mode {mode} owned by uid {owner}; it must belong to this user and not be writable by others. Remove it or choose another with --run-dir.";

    public static string ControlPeerRefused(int uid, int pid, int owner) =>
        $"Control connection from uid {uid} (pid {pid}) refused: only uid {owner}, the primary's owner, may control it.";

    public static string ControlBadRequest(string reason) =>
        $"The control request is not valid ({reason}); send one JSON object per line with \"v\": {Control.ControlProtocol.Version} and a known \"type\".";

    public static string ControlVersion(int version) =>
        $"Control protocol version {version} is not supported; this primary speaks version {Control.ControlProtocol.Version}. Use the roost command of the same release as the running server.";

    public static string CertificatesNotRunning() =>
        "Cannot reload certificates: the cluster is not running (it is stopping or has stopped).";

    public static string CertificatesNoAnswer(int id, int pid, int generation, TimeSpan timeout) =>
        $"Worker {id} (pid {pid}, generation {generation}) did not answer the certificate reload within {timeout.TotalSeconds:0.#} s; it keeps the certificate it had.";

    public static string CertificatesNoWorkers() =>
        "No ready worker to reload certificates in.";

    public static string NoPrimary(string socketPath, string baseDirectory) =>
        $"No primary is running there: the control socket '{socketPath}' does not exist. List running instances with 'roost status --list' (instances live in '{baseDirectory}'), or pass the instance's --name (roost serve's default name is its port) or --run-dir.";

    public static string StaleSocket(string socketPath) =>
        $"The control socket '{socketPath}' is stale: nobody answers on it (its primary exited without removing it). Start the server again (it replaces the file) or delete the file.";

    public static string SocketAccessDenied(string socketPath) =>
        $"Access to the control socket '{socketPath}' was denied: it belongs to another user. Run the command as the user that started the server.";

    public static string NoInstances(string baseDirectory) =>
        $"No primary is running: there is no control socket under '{baseDirectory}'. Start one with 'roost serve', or pass --run-dir if it was started with another run directory.";

    public static string OnlyStaleInstances(string baseDirectory, IEnumerable<string> names) =>
        $"No primary is running under '{baseDirectory}': the control sockets of {string.Join(", ", names.Select(n => $"'{n}'"))} are stale (their primaries exited without removing them). Start a server with 'roost serve' or 'roost run' (a primary of the same name replaces the stale file), or delete the stale folders.";

    public static string SeveralInstances(string baseDirectory, IEnumerable<string> names) =>
        $"Several primaries are running under '{baseDirectory}' ({string.Join(", ", names.Select(n => $"'{n}'"))}); choose one with --name.";

    public static string InstanceNameInvalid(string name) =>
        $"Instance name '{name}' is not valid: use 1 to 100 letters, digits, '.', '_' or '-'.";

    public static string ReplyUnreadable(string socketPath, string line, string error) =>
        $"The primary on the control socket '{socketPath}' sent a reply this roost cannot read ({error}): '{(line.Length > 200 ? line[..200] + "…" : line)}'. Is the server another Roost version (compare 'roost --version')? See the server's log.";

    public static string ConnectionClosed(string socketPath) =>
        $"The primary closed the control connection on '{socketPath}' before it answered; see the server's log.";
}

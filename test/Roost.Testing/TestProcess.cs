using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Xunit;

namespace Roost.Testing;

/// <summary>
/// A real child process for a test: output captured line by line (and copied to the test log), every wait bounded,
/// and the whole process tree killed on dispose even when the test fails.
/// </summary>
public sealed partial class TestProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _stdout = new();
    private readonly SemaphoreSlim _lineArrived = new(0);
    private readonly ITestOutputHelper? _output;
    private readonly string _name;

    private TestProcess(Process process, string name)
    {
        _process = process;
        _name = name;
        _output = TestContext.Current.TestOutputHelper;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public IReadOnlyCollection<string> Lines => _lines;

    public string Output => string.Join('\n', _lines);

    /// <summary>Standard output only (no stderr lines interleaved), for parsing what a tool prints.</summary>
    public string StandardOutput => string.Join('\n', _stdout);

    /// <summary>Starts <paramref name="fileName"/> with <paramref name="arguments"/>.</summary>
    public static TestProcess Start(
        string fileName,
        IEnumerable<string> arguments,
        string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null,
        string? name = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        // Child .NET processes must not inherit the test host's settings that change their behaviour.
        info.Environment.Remove("DOTNET_STARTUP_HOOKS");
        // A test runner started by systemd must not have the roost primaries under test report to it (they would with NOTIFY_SOCKET).
        info.Environment.Remove("NOTIFY_SOCKET");
        info.Environment.Remove("WATCHDOG_USEC");
        info.Environment.Remove("WATCHDOG_PID");
        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                {
                    info.Environment.Remove(key);
                }
                else
                {
                    info.Environment[key] = value;
                }
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var result = new TestProcess(process, name ?? Path.GetFileName(fileName));
        process.OutputDataReceived += (_, e) => result.OnLine(e.Data, "out");
        process.ErrorDataReceived += (_, e) => result.OnLine(e.Data, "err");
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return result;
    }

    /// <summary>Runs a built .NET program (<c>dotnet app.dll args</c>).</summary>
    public static TestProcess StartDotnet(string dll, IEnumerable<string> arguments, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, string? name = null) =>
        Start("dotnet", [dll, .. arguments], workingDirectory, environment, name ?? Path.GetFileNameWithoutExtension(dll));

    /// <summary>Runs a program to completion and returns its exit code and output; killed after <paramref name="timeout"/>.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout,
        string? workingDirectory = null, IReadOnlyDictionary<string, string?>? environment = null)
    {
        await using var process = Start(fileName, arguments, workingDirectory, environment);
        var code = await process.WaitForExitAsync(timeout);
        return (code, process.Output);
    }

    /// <summary>Waits for an output line matching <paramref name="predicate"/> (lines seen before the call count too).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var seen = 0;
        while (true)
        {
            var snapshot = _lines.ToArray();
            for (; seen < snapshot.Length; seen++)
            {
                if (predicate(snapshot[seen]))
                {
                    return snapshot[seen];
                }
            }

            if (_process.HasExited && _lines.Count == snapshot.Length)
            {
                // Give the output readers a moment to deliver the last lines.
                await Task.Delay(100, CancellationToken.None);
                if (_lines.Count == snapshot.Length)
                {
                    throw new InvalidOperationException($"{_name} (pid {Pid}) exited with code {_process.ExitCode} before printing the expected line. Output:\n{Output}");
                }
            }

            try
            {
                await _lineArrived.WaitAsync(TimeSpan.FromMilliseconds(200), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"{_name} (pid {Pid}) did not print the expected line within {timeout}. Output:\n{Output}");
            }
        }
    }

    public Task<string> WaitForLineAsync(string contains, TimeSpan timeout) =>
        WaitForLineAsync(line => line.Contains(contains, StringComparison.Ordinal), timeout);

    /// <summary>Waits for exit; kills the process and fails when it takes longer than <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Kill();
            throw new TimeoutException($"{_name} (pid {Pid}) did not exit within {timeout}. Output:\n{Output}");
        }

        // WaitForExitAsync returns once the output streams are drained as well.
        return _process.ExitCode;
    }

    /// <summary>Closes the child's standard input, for tools that run until it ends (e.g. <c>openssl s_client</c>).</summary>
    public void CloseStandardInput() => _process.StandardInput.Close();

    /// <summary>Writes one line to the process's standard input (for programs driven by commands).</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Sends a POSIX signal (e.g. 15 for SIGTERM, 2 for SIGINT, 9 for SIGKILL).</summary>
    public void Signal(int signal)
    {
        if (kill(Pid, signal) != 0)
        {
            throw new InvalidOperationException($"kill({Pid}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}.");
        }
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try
        {
            await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (TimeoutException)
        {
            _output?.WriteLine($"[{_name}] still running 10 s after kill");
        }

        _process.Dispose();
        _lineArrived.Dispose();
    }

    private void OnLine(string? line, string stream)
    {
        if (line is null)
        {
            return;
        }

        if (stream == "out")
        {
            _stdout.Enqueue(line);
        }

        _lines.Enqueue(line);
        _lineArrived.Release();
        try
        {
            _output?.WriteLine($"[{_name} {stream}] {line}");
        }
        catch (InvalidOperationException)
        {
            // The test already finished; its log is closed.
        }
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);
}

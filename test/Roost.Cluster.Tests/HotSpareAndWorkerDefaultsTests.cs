using Microsoft.Extensions.Logging;
using Roost.Clustering.Internal.InWorker;
using Roost.Clustering.Internal.Supervision;

namespace Roost.Cluster.Tests;

/// <summary>The hot-spare setting, the workers' default runtime knobs and the worker log prefix (no processes).</summary>
public sealed class HotSpareAndWorkerDefaultsTests
{
    [Fact]
    public void HotSpares_DefaultsToOne_AndValidateRejectsOutOfRangeNamingTheSetting()
    {
        var options = new ClusterOptions();

        Assert.Equal(1, options.HotSpares);
        options.HotSpares = 0;
        Assert.Equal(0, options.HotSpares);
        options.Validate();
        options.HotSpares = -1;
        var ex = Assert.Throws<InvalidOptionsException>(options.Validate);
        Assert.Equal("ClusterOptions.HotSpares must be between 0 and 64; got -1.", ex.Message);
    }

    [Fact]
    public void WorkerRuntimeDefaults_AreDotnetVariables()
    {
        Assert.NotEmpty(Supervisor.WorkerRuntimeDefaults);
        Assert.All(Supervisor.WorkerRuntimeDefaults.Keys, name => Assert.StartsWith("DOTNET_", name, StringComparison.Ordinal));
    }

    [Fact]
    public void WorkerLoggerFactory_PrefixesEveryFormattedLineWithTheWorkerIdentity()
    {
        var lines = new List<string>();
        using var inner = LoggerFactory.Create(b => b.AddProvider(new ListProvider(lines)));
        using var factory = new WorkerLoggerFactory(inner, WorkerLoggerFactory.Prefix(3, 4711, 2));

        factory.CreateLogger("Roost.Server").LogInformation("Listening on {EndPoint}", "127.0.0.1:8081");

        Assert.Equal(["[worker 3 (pid 4711, generation 2)] Listening on 127.0.0.1:8081"], lines);
    }

    private sealed class ListProvider(List<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new ListLogger(lines);

        public void Dispose()
        {
        }
    }

    private sealed class ListLogger(List<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Add(formatter(state, exception));
    }
}

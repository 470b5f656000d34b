using Microsoft.Extensions.DependencyInjection;
using Roost.SharedState.Internal;

namespace Roost.SharedState.Tests;

/// <summary>Option validation and Redis address parsing.</summary>
public sealed class SharedStateOptionsTests
{
    [Theory]
    [InlineData("redis://127.0.0.1:6380", "127.0.0.1:6380", false, null)]
    [InlineData("redis://localhost", "Unspecified/localhost:6379", false, null)]
    [InlineData("rediss://:s3cret@10.0.0.5:6390", "10.0.0.5:6390", true, "s3cret")]
    public void Parse_RedisUrl_SetsEndPointTlsAndPassword(string address, string endPoint, bool ssl, string? password)
    {
        var configuration = RedisConnection.Parse(address, TimeSpan.FromSeconds(2));

        Assert.Equal(endPoint, Assert.Single(configuration.EndPoints).ToString());
        Assert.Equal(ssl, configuration.Ssl);
        Assert.Equal(password, configuration.Password);
        Assert.False(configuration.AbortOnConnectFail);
        Assert.Equal(2000, configuration.AsyncTimeout);
    }

    [Fact]
    public void AddRoostSharedState_NotARedisAddress_ThrowsNamingTheValueAndTheForm()
    {
        var ex = Assert.Throws<InvalidOptionsException>(() => new ServiceCollection().AddRoostSharedState(o => o.Redis = "http://127.0.0.1:6379"));

        Assert.Contains("'http://127.0.0.1:6379'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("redis://host:port", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Setters_OutOfRangeValues_AreStored()
    {
        var options = new SharedStateOptions { BusyTimeout = TimeSpan.Zero, SessionIdleTimeout = TimeSpan.FromSeconds(-1) };

        Assert.Equal(TimeSpan.Zero, options.BusyTimeout);
        Assert.Equal(TimeSpan.FromSeconds(-1), options.SessionIdleTimeout);
    }

    [Fact]
    public void Validate_Defaults_Passes()
    {
        new SharedStateOptions().Validate();
        new SharedStateOptions { Redis = "redis://127.0.0.1:6379", ApplicationName = "shop" }.Validate();
    }

    [Fact]
    public void Validate_TwoBadTimeouts_ReportsBothNamingTheValueSeen()
    {
        var options = new SharedStateOptions { BusyTimeout = TimeSpan.Zero, RedisTimeout = TimeSpan.FromSeconds(-3) };

        var ex = Assert.Throws<InvalidOptionsException>(options.Validate);

        Assert.Equal(2, ex.Problems.Count);
        Assert.Equal("SharedStateOptions.BusyTimeout must be positive; got 00:00:00. Use a duration greater than zero.", ex.Problems[0]);
        Assert.Equal("SharedStateOptions.RedisTimeout must be positive; got -00:00:03. Use a duration greater than zero.", ex.Problems[1]);
        Assert.Equal(string.Join(Environment.NewLine, ex.Problems), ex.Message);
    }

    [Fact]
    public void Validate_EveryKindOfMistake_OneLineEach()
    {
        var options = new SharedStateOptions
        {
            Redis = "http://127.0.0.1:6379",
            ApplicationName = " ",
            CleanupInterval = TimeSpan.MaxValue,
            SessionIdleTimeout = TimeSpan.Zero,
            SessionCookieName = "",
        };

        var ex = Assert.Throws<InvalidOptionsException>(options.Validate);

        Assert.Collection(
            ex.Problems,
            p => Assert.StartsWith("SharedStateOptions.Redis 'http://127.0.0.1:6379' is not a Redis address. Use redis://host:port", p, StringComparison.Ordinal),
            p => Assert.StartsWith("SharedStateOptions.ApplicationName is blank; got ' '.", p, StringComparison.Ordinal),
            p => Assert.StartsWith("SharedStateOptions.CleanupInterval is too long; got 10675199.02:48:05.4775807. Use at most 24.20:31:23.6470000", p, StringComparison.Ordinal),
            p => Assert.StartsWith("SharedStateOptions.SessionIdleTimeout must be positive; got 00:00:00.", p, StringComparison.Ordinal),
            p => Assert.StartsWith("SharedStateOptions.SessionCookieName is blank ('').", p, StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_BlankDirectoryWithoutRedis_NamesIt_WithRedis_DirectoryUnused()
    {
        var ex = Assert.Throws<InvalidOptionsException>(new SharedStateOptions { Directory = " " }.Validate);
        Assert.StartsWith("SharedStateOptions.Directory is blank (' ').", Assert.Single(ex.Problems), StringComparison.Ordinal);

        new SharedStateOptions { Directory = " ", Redis = "redis://127.0.0.1:6379" }.Validate();
    }

    [Fact]
    public void AddRoostSharedState_TwoBadTimeouts_RefusedBeforeAnythingIsRegistered()
    {
        var services = new ServiceCollection();

        var ex = Assert.Throws<InvalidOptionsException>(() => services.AddRoostSharedState(o =>
        {
            o.CleanupInterval = TimeSpan.Zero;
            o.SessionIdleTimeout = TimeSpan.FromMinutes(-1);
        }));

        Assert.Equal(2, ex.Problems.Count);
        Assert.Contains("SharedStateOptions.CleanupInterval", ex.Problems[0], StringComparison.Ordinal);
        Assert.Contains("SharedStateOptions.SessionIdleTimeout", ex.Problems[1], StringComparison.Ordinal);
        Assert.Empty(services);
    }

    [Fact]
    public void UseSharedState_BadTimeout_RefusedWhereTheProgramSetsIt()
    {
        var ex = Assert.Throws<InvalidOptionsException>(() => new ServerOptions().UseSharedState(o => o.BusyTimeout = TimeSpan.FromSeconds(-1)));

        Assert.Contains("SharedStateOptions.BusyTimeout must be positive; got -00:00:01", Assert.Single(ex.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public async Task PrepareAndBroadcast_BadTimeout_RefusedBeforeTheStoreIsTouched()
    {
        var folder = Path.Combine(Path.GetTempPath(), "roost-state-never-" + Guid.NewGuid().ToString("N"));
        var options = new SharedStateOptions { Directory = folder, RedisTimeout = TimeSpan.Zero };

        await Assert.ThrowsAsync<InvalidOptionsException>(() => SharedStateSetup.PrepareAsync(options, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Throws<InvalidOptionsException>(() => SharedBroadcast.Create(options));
        Assert.False(Directory.Exists(folder));
    }
}

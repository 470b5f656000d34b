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
        var ex = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddRoostSharedState(o => o.Redis = "http://127.0.0.1:6379"));

        Assert.Contains("'http://127.0.0.1:6379'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("redis://host:port", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void BusyTimeout_Zero_ThrowsWithOptionName()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new SharedStateOptions { BusyTimeout = TimeSpan.Zero });

        Assert.Equal("value", ex.ParamName);
        Assert.Contains("SharedStateOptions.BusyTimeout", ex.Message, StringComparison.Ordinal);
    }
}

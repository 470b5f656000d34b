namespace Roost.SharedState.Tests;

/// <summary><see cref="SharedStateOptions.Parse(string)"/>: the one-string form the CLI and configuration use.</summary>
public sealed class SharedStateOptionsParseTests
{
    [Theory]
    [InlineData("redis://127.0.0.1:6380", "redis://127.0.0.1:6380")]
    [InlineData("rediss://:s3cret@10.0.0.5:6390", "rediss://:s3cret@10.0.0.5:6390")]
    [InlineData("redis://localhost", "redis://localhost")]
    public void Parse_RedisUrl_SetsRedisAndKeepsDefaults(string value, string redis)
    {
        var options = SharedStateOptions.Parse(value);

        Assert.Equal(redis, options.Redis);
        Assert.Equal(TimeSpan.FromSeconds(2), options.RedisTimeout);
        Assert.Null(options.ApplicationName);
    }

    [Theory]
    [InlineData("redis://127.0.0.1:6379?timeout=5s&app=shop", 5000, "shop")]
    [InlineData("redis://127.0.0.1:6379?timeout=750ms", 750, null)]
    [InlineData("redis://127.0.0.1:6379?timeout=1500", 1500, null)]
    public void Parse_RedisOptions_SetTimeoutAndApplicationName(string value, int timeoutMs, string? app)
    {
        var options = SharedStateOptions.Parse(value);

        Assert.Equal("redis://127.0.0.1:6379", options.Redis);
        Assert.Equal(TimeSpan.FromMilliseconds(timeoutMs), options.RedisTimeout);
        Assert.Equal(app, options.ApplicationName);
    }

    [Theory]
    [InlineData("sqlite:/var/lib/app/state", "/var/lib/app/state")]
    [InlineData("sqlite:.roost/state", ".roost/state")]
    [InlineData("data/state", "data/state")]
    [InlineData("/srv/state", "/srv/state")]
    public void Parse_SqliteOrPath_SetsDirectory(string value, string directory)
    {
        var options = SharedStateOptions.Parse(value);

        Assert.Null(options.Redis);
        Assert.Equal(directory, options.Directory);
    }

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("   ", "it is empty")]
    [InlineData("http://127.0.0.1:6379", "unknown scheme 'http'")]
    [InlineData("redis:127.0.0.1:6379", "needs '//'")]
    [InlineData("redis://127.0.0.1:99999", "port is a number from 1 to 65535")]
    [InlineData("redis://127.0.0.1:6379/2", "a path ('/2') is not supported")]
    [InlineData("redis://127.0.0.1:6379?timeout=soon", "timeout 'soon' is not a positive duration")]
    [InlineData("redis://127.0.0.1:6379?timeout=0", "timeout '0' is not a positive duration")]
    [InlineData("redis://127.0.0.1:6379?db=1", "unknown option 'db' (known: timeout, app)")]
    [InlineData("redis://127.0.0.1:6379?app=", "app is empty")]
    [InlineData("sqlite:", "the folder after 'sqlite:' is empty")]
    [InlineData("sqlite:///tmp/x", "without '//'")]
    public void Parse_Invalid_ThrowsNamingValueReasonAndAcceptedForms(string value, string reason)
    {
        var ex = Assert.Throws<ArgumentException>(() => SharedStateOptions.Parse(value));

        Assert.Contains($"'{value.Trim()}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.Contains("Accepted: redis://host:port", ex.Message, StringComparison.Ordinal);
        Assert.False(SharedStateOptions.TryParse(value, out var options, out var error));
        Assert.Null(options);
        Assert.Equal(ex.Message, error + " (Parameter 'value')");
    }
}

namespace Roost.Server.Tests;

/// <summary>Defaults and range checks of <see cref="ServerOptions"/> and <see cref="ServerLimits"/>.</summary>
public sealed class ServerOptionsTests
{
    [Fact]
    public void NewOptions_Defaults_AreTheDocumentedOnes()
    {
        var options = new SecureServerOptions();

        Assert.Equal(TimeSpan.FromSeconds(30), options.ShutdownTimeout);
        Assert.True(options.HandleShutdownSignals);
        Assert.Null(options.LoggerFactory);
        Assert.False(options.AllowHttp1);
        Assert.Equal(30_000_000, options.Limits.MaxRequestBodySize);
        Assert.Equal(TimeSpan.FromSeconds(130), options.Limits.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(30), options.Limits.RequestHeadersTimeout);
        Assert.Equal(100, options.Limits.MaxConcurrentStreams);
        Assert.Null(options.Limits.MaxConcurrentConnections);
        Assert.Empty(options.Ca);
    }

    [Fact]
    public void ShutdownTimeout_Negative_ThrowsWithMessage()
    {
        var options = new ServerOptions();
        var value = TimeSpan.FromSeconds(-1);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => options.ShutdownTimeout = value);

        Assert.Equal("value", error.ParamName);
        Assert.StartsWith(ErrorMessages.ShutdownTimeoutNegative(value), error.Message, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ShutdownTimeout);
    }

    [Fact]
    public void SecureServerOptions_NegativeSettleTimeOrZeroTicketRotation_ThrowWithTheErrorMessagesText()
    {
        var options = new SecureServerOptions();
        var negative = TimeSpan.FromSeconds(-1);

        var settle = Assert.Throws<ArgumentOutOfRangeException>(() => options.CertificateReloadSettleTime = negative);
        var rotation = Assert.Throws<ArgumentOutOfRangeException>(() => options.SessionTicketKeyRotation = TimeSpan.Zero);

        Assert.StartsWith(ErrorMessages.SettleTimeNegative(negative), settle.Message, StringComparison.Ordinal);
        Assert.Contains("CertificateReloadSettleTime", settle.Message, StringComparison.Ordinal);
        Assert.StartsWith(ErrorMessages.TicketKeyRotationNotPositive(TimeSpan.Zero), rotation.Message, StringComparison.Ordinal);
        Assert.Contains("SessionTicketKeyRotation", rotation.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShutdownTimeout_Zero_IsAccepted()
    {
        var options = new ServerOptions { ShutdownTimeout = TimeSpan.Zero };

        Assert.Equal(TimeSpan.Zero, options.ShutdownTimeout);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void MaxRequestBodySize_NotPositive_ThrowsWithMessage(long value)
    {
        var limits = new ServerLimits();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxRequestBodySize = value);

        Assert.Equal("value", error.ParamName);
        Assert.StartsWith(ErrorMessages.LimitNotPositive(nameof(ServerLimits.MaxRequestBodySize), value, nullAllowed: true), error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void MaxConcurrentStreams_NotPositive_ThrowsWithMessage(int value)
    {
        var limits = new ServerLimits();

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxConcurrentStreams = value);

        Assert.Equal($"ServerOptions.Limits.MaxConcurrentStreams must be positive; got {value}.", ErrorMessages.LimitNotPositive(nameof(ServerLimits.MaxConcurrentStreams), value, nullAllowed: false));
        Assert.StartsWith(ErrorMessages.LimitNotPositive(nameof(ServerLimits.MaxConcurrentStreams), value, nullAllowed: false), error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Timeouts_ZeroOrNegative_Throw()
    {
        var limits = new ServerLimits();

        Assert.Throws<ArgumentOutOfRangeException>(() => limits.KeepAliveTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.RequestHeadersTimeout = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => limits.MaxConcurrentConnections = 0);
    }

    [Fact]
    public void NullableLimits_Null_MeansNoLimit()
    {
        var limits = new ServerLimits { MaxRequestBodySize = null, MaxConcurrentConnections = 10 };
        limits.MaxConcurrentConnections = null;

        Assert.Null(limits.MaxRequestBodySize);
        Assert.Null(limits.MaxConcurrentConnections);
    }

    [Fact]
    public void FromFiles_Paths_BecomeFileInputsNamedInMessages()
    {
        var options = SecureServerOptions.FromFiles("ssl/site.cer", "ssl/site.key", "ssl/chain.cer", "ssl/root.cer");

        Assert.Equal("ssl/site.cer", options.Cert?.Path);
        Assert.Equal("ssl/site.key", options.Key?.Path);
        Assert.Equal(["ssl/chain.cer", "ssl/root.cer"], options.Ca.Select(c => c.Path));
        Assert.Same(options.Cert, options.Tls.Cert);
    }
}

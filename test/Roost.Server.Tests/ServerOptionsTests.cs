namespace Roost.Server.Tests;

/// <summary>Defaults and range checks (<see cref="ServerOptions.Validate"/>) of <see cref="ServerOptions"/>, <see cref="ServerLimits"/> and <see cref="Http2Options"/>.</summary>
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
    public void ShutdownTimeout_Negative_IsStored_CreateServerReportsIt()
    {
        var value = TimeSpan.FromSeconds(-1);
        var options = new ServerOptions { ShutdownTimeout = value };

        var error = Assert.Throws<InvalidOptionsException>(() => Http.CreateServer(options, (_, res) => res.End()));

        Assert.Equal(value, options.ShutdownTimeout);
        Assert.Equal(ErrorMessages.ShutdownTimeoutNegative(value), error.Message);
        Assert.Equal([ErrorMessages.ShutdownTimeoutNegative(value)], error.Problems);
    }

    [Fact]
    public void SecureServerOptions_NegativeSettleTimeOrZeroTicketRotation_AreReportedWithTheErrorMessagesText()
    {
        var negative = TimeSpan.FromSeconds(-1);
        var options = new SecureServerOptions { CertificateReloadSettleTime = negative, SessionTicketKeyRotation = TimeSpan.Zero };

        var error = Assert.Throws<InvalidOptionsException>(() => Http2.CreateSecureServer(options, (_, res) => res.End()));

        Assert.Equal([ErrorMessages.SettleTimeNegative(negative), ErrorMessages.TicketKeyRotationNotPositive(TimeSpan.Zero)], error.Problems);
        Assert.Contains("CertificateReloadSettleTime", error.Problems[0], StringComparison.Ordinal);
        Assert.Contains("SessionTicketKeyRotation", error.Problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void ShutdownTimeout_Zero_IsAccepted()
    {
        var options = new ServerOptions { ShutdownTimeout = TimeSpan.Zero };

        options.Validate();
        Assert.Equal(TimeSpan.Zero, options.ShutdownTimeout);
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-1L)]
    public void MaxRequestBodySize_NotPositive_IsReportedWithMessage(long value)
    {
        var options = new ServerOptions();
        options.Limits.MaxRequestBodySize = value;

        var error = Assert.Throws<InvalidOptionsException>(options.Validate);

        Assert.Equal(ErrorMessages.LimitNotPositive(nameof(ServerLimits.MaxRequestBodySize), value, nullAllowed: true), error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void MaxConcurrentStreams_NotPositive_IsReportedWithMessage(int value)
    {
        var options = new ServerOptions();
        options.Limits.MaxConcurrentStreams = value;

        var error = Assert.Throws<InvalidOptionsException>(() => Http2.CreateServer(options, (_, res) => res.End()));

        Assert.Equal($"ServerOptions.Limits.MaxConcurrentStreams must be positive; got {value}.", ErrorMessages.LimitNotPositive(nameof(ServerLimits.MaxConcurrentStreams), value, nullAllowed: false));
        Assert.Equal(ErrorMessages.LimitNotPositive(nameof(ServerLimits.MaxConcurrentStreams), value, nullAllowed: false), error.Message);
    }

    [Fact]
    public void Timeouts_ZeroOrNegative_AreReported()
    {
        var options = new ServerOptions();
        options.Limits.KeepAliveTimeout = TimeSpan.Zero;
        options.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(-1);
        options.Limits.MaxConcurrentConnections = 0;

        var error = Assert.Throws<InvalidOptionsException>(options.Validate);

        Assert.Equal(
            [
                ErrorMessages.LimitNotPositive(nameof(ServerLimits.KeepAliveTimeout), TimeSpan.Zero, nullAllowed: false),
                ErrorMessages.LimitNotPositive(nameof(ServerLimits.RequestHeadersTimeout), TimeSpan.FromSeconds(-1), nullAllowed: false),
                ErrorMessages.LimitNotPositive(nameof(ServerLimits.MaxConcurrentConnections), 0L, nullAllowed: true),
            ],
            error.Problems);
    }

    // Verifies: three mistakes in three places (the options, their limits, their HTTP/2 settings) come back as one
    // exception with three lines, in the order the settings are declared, from every factory; nothing is bound.
    [Fact]
    public void ThreeMistakes_OneExceptionWithThreeLines_FromEveryFactory()
    {
        var options = new SecureServerOptions { ShutdownTimeout = TimeSpan.FromSeconds(-2) };
        options.Limits.MaxConcurrentStreams = 0;
        options.Http2.StreamResetBurst = -1;
        string[] expected =
        [
            ErrorMessages.ShutdownTimeoutNegative(TimeSpan.FromSeconds(-2)),
            ErrorMessages.LimitNotPositive(nameof(ServerLimits.MaxConcurrentStreams), 0, nullAllowed: false),
            ErrorMessages.Http2OptionNegative(nameof(Http2Options.StreamResetBurst), -1),
        ];
        RequestHandler handler = (_, res) => res.End();

        foreach (var create in (Func<HttpServer>[])[
            () => Http.CreateServer(options, handler),
            () => Https.CreateServer(options, handler),
            () => Http2.CreateServer(options, handler),
            () => Http2.CreateSecureServer(options, handler),
            () => { options.Validate(); return null!; }])
        {
            var error = Assert.Throws<InvalidOptionsException>(create);
            Assert.Equal(expected, error.Problems);
            Assert.Equal(expected, error.Message.Split(Environment.NewLine));
        }
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

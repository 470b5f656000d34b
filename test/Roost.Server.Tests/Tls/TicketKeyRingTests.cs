using Roost.Tls.Resumption;

namespace Roost.Server.Tests.Tls;

/// <summary>The session ticket key ring (rotation keeps three keys, the first encrypts) and the operator's key file.</summary>
public sealed class TicketKeyRingTests
{
    [Fact]
    public void Rotate_PutsANewEncryptingKeyFirst_KeepsTwoPrevious_DropsOlder()
    {
        var first = TicketKeyRing.Create();
        var original = first.Encryption;

        var once = first.Rotate();
        var twice = once.Rotate();
        var thrice = twice.Rotate();

        Assert.NotSame(original, once.Encryption);
        Assert.Same(original, once.Find(original.Name));
        Assert.Same(original, twice.Find(original.Name));
        Assert.Null(thrice.Find(original.Name));
        Assert.Equal(TicketKeyRing.KeptKeys, thrice.Keys.Count);
        Assert.Equal(3, thrice.Generation);
        Assert.Equal(TimeSpan.FromHours(24), TicketKeyRing.SessionLifetime(TimeSpan.FromHours(12)));
    }

    [Fact]
    public void Base64_RoundTrips_AndRefusesWrongLengths()
    {
        var ring = TicketKeyRing.Create().Rotate();

        var copy = TicketKeyRing.FromBase64(ring.ToBase64(), ring.Generation);

        Assert.NotNull(copy);
        Assert.Equal(ring.Keys.Select(k => k.ToBase64()), copy.Keys.Select(k => k.ToBase64()));
        Assert.Null(TicketKeyRing.FromBase64([Convert.ToBase64String(new byte[48])], 0));
        Assert.Null(TicketKeyRing.FromBase64(["not base64"], 0));
        Assert.Null(TicketKeyRing.FromBase64([], 0));
        Assert.DoesNotContain(ring.Encryption.ToBase64(), ring.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void KeyFile_FirstLineEncrypts_CommentsSkipped_BadInputNamesTheLineNotItsText()
    {
        using var directory = new TempFolder();
        var keys = new[] { Convert.ToBase64String(new byte[80]), Convert.ToBase64String(Enumerable.Repeat((byte)7, 80).ToArray()) };
        var good = directory.Write("good.keys", $"# keys\n\n{keys[1]}\n{keys[0]}\n");

        var ring = TicketKeyFile.Load(good, 0, "--ticket-key-file");

        Assert.Equal(keys[1], ring.Encryption.ToBase64());
        Assert.Equal(2, ring.Keys.Count);

        var secret = Convert.ToBase64String(new byte[40]);
        var bad = directory.Write("bad.keys", $"{keys[0]}\n{secret}\n");
        var error = Assert.Throws<InvalidOperationException>(() => TicketKeyFile.Load(bad, 0, "--ticket-key-file"));
        Assert.StartsWith($"Line 2 of session ticket key file '{bad}' (option --ticket-key-file) is not the base64 of 80 bytes (it has 56 characters", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, error.Message, StringComparison.Ordinal);

        var empty = directory.Write("empty.keys", "# nothing yet\n");
        Assert.Contains("holds no key", Assert.Throws<InvalidOperationException>(() => TicketKeyFile.Load(empty, 0, "--ticket-key-file")).Message, StringComparison.Ordinal);

        var open = directory.Write("open.keys", keys[0]);
        File.SetUnixFileMode(open, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.Equal(
            $"Session ticket key file '{open}' (option --ticket-key-file) can be read by other users (mode 640); anyone who reads it can decrypt recorded sessions. Run 'chmod 600 {open}'.",
            Assert.Throws<InvalidOperationException>(() => TicketKeyFile.Load(open, 0, "--ticket-key-file")).Message);
    }

    private sealed class TempFolder : IDisposable
    {
        private readonly string _path = Directory.CreateTempSubdirectory("roost-ticket-keys").FullName;

        public string Write(string name, string text)
        {
            var path = Path.Combine(_path, name);
            File.WriteAllText(path, text);
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            return path;
        }

        public void Dispose() => Directory.Delete(_path, recursive: true);
    }
}

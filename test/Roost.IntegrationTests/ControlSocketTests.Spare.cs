using System.Globalization;
using System.Text.Json;
using Roost.Testing;

namespace Roost.IntegrationTests;

/// <summary><c>roost status</c> with a hot spare.</summary>
public sealed partial class ControlSocketTests
{
    // Verifies: `roost serve --workers 1` keeps a hot spare (the default); `status --json` lists it after the workers
    // with state "spare" and slot null, its pid being a child of the primary; the table shows it too.
    [Fact]
    public async Task Status_ListsTheHotSpare_WithoutASlot()
    {
        using var chain = TestCertificates.CreateChain();
        using var temp = new TempDirectory("roost-control");
        var runDirectory = temp.File("run");
        var port = FreePort.Get();
        await using var roost = StartRoostWithSpare(chain, port, "1", runDirectory, "--no-watch");
        try
        {
            await WaitForCountAsync(roost, "is ready: listening on 127.0.0.1:", 1);
            await WaitForCountAsync(roost, "is built and waiting", 1);

            var status = await StatusJsonAsync(runDirectory);
            var entries = status.GetProperty("workers").EnumerateArray().ToList();
            Assert.Equal(2, entries.Count);
            Assert.Equal("ready", entries[0].GetProperty("state").GetString());
            Assert.Equal(0, entries[0].GetProperty("slot").GetInt32());
            var spare = entries[1];
            Assert.Equal("spare", spare.GetProperty("state").GetString());
            Assert.Equal(JsonValueKind.Null, spare.GetProperty("slot").ValueKind);
            Assert.Contains(spare.GetProperty("pid").GetInt32(), ProcessProbe.Children(roost.Pid));
            Assert.Equal(1, status.GetProperty("targetWorkers").GetInt32());

            var (tableCode, table) = await RoostAsync("status", "--run-dir", runDirectory);
            Assert.True(tableCode == 0, table);
            Assert.Contains(table.Split('\n'), l => l.Contains("spare", StringComparison.Ordinal)
                && l.Contains(spare.GetProperty("pid").GetInt32().ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));

            var (stopCode, stopOutput) = await RoostAsync("stop", "--run-dir", runDirectory, "--timeout", "5");
            Assert.True(stopCode == 0, stopOutput);
            Assert.Equal(0, await roost.WaitForExitAsync(Timeout));
        }
        finally
        {
            foreach (var pid in ProcessProbe.Children(roost.Pid))
            {
                ProcessProbe.Signal(pid, 9);
            }
        }
    }
}

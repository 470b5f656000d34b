// The study note's https program, line for line (the Node original is in README.md).
// Only addition: the PORT environment variable overrides 443, so the sample runs without root.
using Roost;

var port = int.TryParse(Environment.GetEnvironmentVariable("PORT"), out var fromEnv) ? fromEnv : 443;

Https.CreateServer(new SecureServerOptions
{
    Cert = File.ReadAllBytes("./ssl/edasan.goe.go.kr.cer"), // SSL 인증서 경로 (certificate)
    Key = File.ReadAllBytes("./ssl/edasan.goe.go.kr.key"), // 비밀키 경로 (private key)
    Ca =
    {
        File.ReadAllBytes("./ssl/new_rootca.cer"), // 상위 인증서 경로 (root CA; not sent, as a client must already trust it)
        File.ReadAllBytes("./ssl/new_caChain_change.cer"), // 상위 인증서 경로 (intermediate; sent in every handshake)
    },
}, (req, res) =>
{
    res.Write("<h1>hello Node</h1>");
    res.End("<p>hello server!</p>");
}).Listen(port, () =>
{
    Console.WriteLine($"{port}포트 대기중");
});

// Like Node, the program stays alive while the server listens; Ctrl+C or SIGTERM closes it gracefully (exit code 0).

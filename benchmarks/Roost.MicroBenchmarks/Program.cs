// Roost's micro-benchmarks. Everything after the program name goes to BenchmarkDotNet's command line, e.g.
//   dotnet run -c Release --project benchmarks/Roost.MicroBenchmarks -- --filter '*' --job short
// See README.md for what each benchmark measures.
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Roost.MicroBenchmarks.FacadeDispatchBenchmarks).Assembly).Run(args);

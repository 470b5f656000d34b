using Microsoft.Extensions.DependencyInjection;

namespace Roost.SharedState;

/// <summary>Gives a Node-style server (<c>Http.CreateServer</c> and friends) the shared store.</summary>
public static class ServerOptionsSharedStateExtensions
{
    /// <summary>
    /// Makes <c>req.GetSessionAsync()</c> work on servers created with these options, on the shared store (the SQLite
    /// file by default, or Redis). Also registers the shared <c>IDistributedCache</c>, <see cref="IAtomicCache"/> and
    /// Data Protection key ring in the server's services (application name <c>Roost</c> unless set).
    /// </summary>
    /// <typeparam name="TOptions">The options type.</typeparam>
    /// <param name="options">The server options.</param>
    /// <param name="configure">Sets the store.</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="InvalidOptionsException">A shared-state setting is invalid (<see cref="SharedStateOptions.Validate"/>: every problem, one line each).</exception>
    public static TOptions UseSharedState<TOptions>(this TOptions options, Action<SharedStateOptions>? configure = null)
        where TOptions : ServerOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        var state = new SharedStateOptions();
        configure?.Invoke(state);
        return options.UseSharedState(state);
    }

    /// <summary>
    /// Same as <see cref="UseSharedState{TOptions}(TOptions, Action{SharedStateOptions})"/> with options made
    /// beforehand, e.g. by <see cref="SharedStateOptions.Parse(string)"/>, or shared with
    /// <see cref="SharedBroadcast.Create"/> and <see cref="SharedStateSetup.PrepareInPrimaryAsync"/>.
    /// </summary>
    /// <typeparam name="TOptions">The options type.</typeparam>
    /// <param name="options">The server options.</param>
    /// <param name="state">The shared-state options (not copied: do not change them after the server starts).</param>
    /// <returns><paramref name="options"/>.</returns>
    /// <exception cref="InvalidOptionsException">A shared-state setting is invalid (<see cref="SharedStateOptions.Validate"/>: every problem, one line each).</exception>
    public static TOptions UseSharedState<TOptions>(this TOptions options, SharedStateOptions state)
        where TOptions : ServerOptions
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(state);

        // Checked now, where the program sets the options, and again when the server builds the store.
        state.Validate();
        var previous = options.ConfigureServices;
        options.ConfigureServices = services =>
        {
            previous?.Invoke(services);
            services.AddLogging();
            services.AddRoostSharedState(state, defaultApplicationName: "Roost");
        };
        return options;
    }
}

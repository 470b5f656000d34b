using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Roost.SharedState;
using Roost.SharedState.Internal;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>The one switch that makes every worker of an ASP.NET Core app share sessions and Data Protection keys.</summary>
public static class SharedStateServiceCollectionExtensions
{
    /// <summary>
    /// Shares state between every process that runs this app with the same options:
    /// <list type="bullet">
    /// <item>the <see cref="IDistributedCache"/> (replacing any registered before) is the shared store, so
    /// <c>AddSession</c> works unchanged across workers; <see cref="IAtomicCache"/> offers atomic read-modify-write;</item>
    /// <item>the Data Protection key ring lives in the shared folder or Redis, with <c>SetApplicationName</c>, so
    /// cookies (auth, antiforgery, session) made by one worker are read by all;</item>
    /// <item>requests that fail because the store is unreachable get <c>503</c> with the reason (logged), not 500.</item>
    /// </list>
    /// </summary>
    /// <param name="services">The app's services.</param>
    /// <param name="configure">Sets the store; by default the SQLite file in <c>.roost/state</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="Roost.InvalidOptionsException">An option is invalid (e.g. a malformed Redis address, a zero timeout): <see cref="SharedStateOptions.Validate"/>, every problem, one line each.</exception>
    public static IServiceCollection AddRoostSharedState(this IServiceCollection services, Action<SharedStateOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new SharedStateOptions();
        configure?.Invoke(options);
        return services.AddRoostSharedState(options, defaultApplicationName: null);
    }

    /// <summary>Same as <see cref="AddRoostSharedState(IServiceCollection, Action{SharedStateOptions})"/> for <c>WebApplication.CreateBuilder</c>.</summary>
    /// <typeparam name="TBuilder">The builder type.</typeparam>
    /// <param name="builder">The app builder.</param>
    /// <param name="configure">Sets the store.</param>
    /// <returns><paramref name="builder"/>.</returns>
    public static TBuilder AddRoostSharedState<TBuilder>(this TBuilder builder, Action<SharedStateOptions>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRoostSharedState(configure);
        return builder;
    }

    internal static IServiceCollection AddRoostSharedState(this IServiceCollection services, SharedStateOptions options, string? defaultApplicationName)
    {
        // SharedStore's constructor validates the options (every problem at once) before anything is registered.
        var store = new SharedStore(options);
        services.AddSingleton(options);
        services.AddSingleton(store);
        services.RemoveAll<IDistributedCache>();
        services.AddSingleton(_ => store.Cache);
        services.RemoveAll<IAtomicCache>();
        services.AddSingleton(_ => store.Atomic);
        services.AddSingleton(sp => new SharedBroadcast(options, store.Redis, ownsRedis: false, sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>().CreateLogger("Roost.SharedState")));
        services.AddHostedService<SharedStateHostedService>();
        services.AddTransient<IStartupFilter, SharedStateUnavailableMiddleware.StartupFilter>();

        var dataProtection = services.AddDataProtection();
        store.ConfigureKeyRing(dataProtection);
        if ((options.ApplicationName ?? defaultApplicationName) is { } applicationName)
        {
            dataProtection.SetApplicationName(applicationName);
        }
        else
        {
            // The host's application name (the entry assembly) rather than Data Protection's default, the content
            // root path, which differs between machines and between deploy folders.
            services.AddOptions<DataProtectionOptions>().Configure<IHostEnvironment>((o, environment) => o.ApplicationDiscriminator = environment.ApplicationName);
        }

        return services;
    }
}

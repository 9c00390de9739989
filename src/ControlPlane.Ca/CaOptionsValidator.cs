using ControlPlane.Ca.Identity;
using Microsoft.Extensions.Options;

namespace ControlPlane.Ca;

/// <summary>Checks what data annotations cannot: lifetimes, account and DNS name syntax.</summary>
public sealed class CaOptionsValidator : IValidateOptions<CaOptions>
{
    public ValidateOptionsResult Validate(string? name, CaOptions options)
    {
        var errors = new List<string>();
        if (options.DefaultCertTtl <= TimeSpan.Zero)
        {
            errors.Add($"Ca:DefaultCertTtl must be positive, not {options.DefaultCertTtl}");
        }
        if (options.MaxCertTtl < options.DefaultCertTtl)
        {
            errors.Add($"Ca:MaxCertTtl ({options.MaxCertTtl}) must not be shorter than Ca:DefaultCertTtl ({options.DefaultCertTtl})");
        }
        if (options.ServingCertTtl < TimeSpan.FromMinutes(1))
        {
            errors.Add($"Ca:ServingCertTtl must be at least a minute, not {options.ServingCertTtl}");
        }
        if (options.SelfSignedRootTtl < TimeSpan.FromDays(1))
        {
            errors.Add($"Ca:SelfSignedRootTtl must be at least a day, not {options.SelfSignedRootTtl}");
        }
        foreach (var account in CaOptions.SplitList(options.TrustedNodeAccounts))
        {
            if (!TryParseAccount(account, out _, out _))
            {
                errors.Add($"Ca:TrustedNodeAccounts: '{account}' is not namespace/serviceaccount");
            }
        }
        foreach (var san in CaOptions.SplitList(options.ServingCertSans))
        {
            if (Uri.CheckHostName(san) != UriHostNameType.Dns)
            {
                errors.Add($"Ca:ServingCertSans: '{san}' is not a DNS name");
            }
        }
        if (CaOptions.SplitList(options.TokenAudiences).Count == 0)
        {
            errors.Add("Ca:TokenAudiences must name at least one audience");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    /// <summary>Parses <c>namespace/serviceaccount</c>.</summary>
    public static bool TryParseAccount(string account, out string ns, out string serviceAccount)
    {
        var slash = account.IndexOf('/', StringComparison.Ordinal);
        ns = slash > 0 ? account[..slash] : string.Empty;
        serviceAccount = slash > 0 ? account[(slash + 1)..] : string.Empty;
        return SpiffeId.IsValidName(ns) && SpiffeId.IsValidName(serviceAccount);
    }
}

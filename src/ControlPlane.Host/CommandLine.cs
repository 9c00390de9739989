namespace ControlPlane.Host;

/// <summary>The host's command-line flags, mapped onto configuration keys of the options classes.</summary>
public static class CommandLine
{
    public static readonly IReadOnlyDictionary<string, string> SwitchMappings = new Dictionary<string, string>
    {
        ["--xds-port"] = "Xds:Port",
        ["--http-port"] = "Ports:HttpPort",
        ["--monitoring-port"] = "Ports:MonitoringPort",
        ["--listen-address"] = "Ports:ListenAddress",
        ["--cluster-id"] = "Mesh:ClusterId",
        ["--domain-suffix"] = "Mesh:DomainSuffix",
        ["--trust-domain"] = "Mesh:TrustDomain",
        ["--system-namespace"] = "Mesh:SystemNamespace",
        ["--config-dir"] = "ConfigDirectory:Path",
        ["--kubeconfig"] = "Kubernetes:KubeConfig",
        ["--silo-port"] = "Silo:SiloPort",
        ["--gateway-port"] = "Silo:GatewayPort",
        ["--primary-silo-port"] = "Silo:PrimarySiloPort",
        ["--redis"] = "Silo:RedisConnectionString",
        ["--secure-port"] = "Ca:SecurePort",
        ["--cacerts-dir"] = "Ca:CaCertsDirectory",
        ["--ca-dir"] = "Ca:SelfSignedDirectory",
        ["--token-file"] = "Ca:TokenFile",
        ["--token-audiences"] = "Ca:TokenAudiences",
        ["--trusted-node-accounts"] = "Ca:TrustedNodeAccounts",
        ["--serving-cert-sans"] = "Ca:ServingCertSans",
        ["--root-cert-file"] = "Ca:RootCertFile",
        ["--default-cert-ttl"] = "Ca:DefaultCertTtl",
        ["--max-cert-ttl"] = "Ca:MaxCertTtl",
    };

    /// <summary>Refuses flags we do not know, so a typo is not silently ignored.</summary>
    public static void Validate(IReadOnlyList<string> args)
    {
        foreach (var arg in args)
        {
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                continue;
            }
            var name = arg.Split('=', 2)[0];
            if (!SwitchMappings.ContainsKey(name) && !name.Contains(':', StringComparison.Ordinal))
            {
                throw new ArgumentException(
                    $"unknown flag {name}; known flags: {string.Join(", ", SwitchMappings.Keys)}");
            }
        }
    }
}

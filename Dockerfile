# Multi-stage build of the control plane host.
# Build stage: the .NET SDK plus Node.js/npm, which the proto pipeline uses to restore the pinned Envoy protos.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Restore first so package layers cache independently of source edits.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY protos/ protos/
COPY src/ src/
RUN dotnet restore src/ControlPlane.Host/ControlPlane.Host.csproj
RUN dotnet publish src/ControlPlane.Host/ControlPlane.Host.csproj -c Release -o /app --no-restore

# Runtime stage: ASP.NET runtime only, non-root.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
COPY examples/ /etc/controlplane/examples/
# Outside Kubernetes the self-signed root is kept under XDG_DATA_HOME (controlplane/ca); the non-root user
# owns it, and a volume mounted there keeps the root across restarts.
ENV XDG_DATA_HOME=/var/lib/controlplane
RUN mkdir -p /var/lib/controlplane && chown 1337:1337 /var/lib/controlplane
VOLUME /var/lib/controlplane
USER 1337:1337
# 15010 plaintext xDS, 15012 secure xDS + CA, 8080 ready/debug, 15014 metrics (istiod's ports).
EXPOSE 15010 15012 8080 15014
ENTRYPOINT ["/app/controlplane"]

# A minimal image: the static (musl) release binary and nothing else. The release workflow builds it from the
# binaries it put in dist/linux/<arch>/; without them, it builds provdiag from source.
#   docker run --rm -e OKTA_CLIENT_ORGURL -e OKTA_CLIENT_CLIENTID -e OKTA_CLIENT_PRIVATEKEY ghcr.io/provdiag/provdiag pull
FROM rust:1-alpine AS source
WORKDIR /src
COPY . .
RUN if [ -d dist/linux ]; then mkdir -p /out && cp "dist/linux/$(case $(uname -m) in x86_64) echo amd64;; *) echo arm64;; esac)/provdiag" /out/; \
    else apk add --no-cache musl-dev && cargo build --release --locked && mkdir -p /out && cp target/release/provdiag /out/; fi

FROM scratch
COPY --from=source /out/provdiag /provdiag
# The binary verifies TLS against its bundled Mozilla roots: no CA files needed.
USER 65534:65534
WORKDIR /work
ENTRYPOINT ["/provdiag"]

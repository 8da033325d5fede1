# Throughline: `docker build -t throughline .`, then `docker run throughline serve` with the
# settings of the README's "Configuration" in the environment.

FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
# The dependencies alone first: this layer is rebuilt only when Cargo.toml or Cargo.lock change.
COPY Cargo.toml Cargo.lock build.rs ./
RUN mkdir src \
 && echo 'fn main() {}' > src/main.rs \
 && touch src/lib.rs \
 && cargo build --release --locked \
 && rm -rf src
COPY migrations migrations
COPY src src
# Newer than the placeholders, so cargo rebuilds the crate itself.
RUN touch src/main.rs src/lib.rs \
 && cargo build --release --locked --bin throughline

# glibc, CA certificates and a non-root user, and nothing else: no shell, no package manager.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/throughline /usr/local/bin/throughline
USER nonroot:nonroot
ENV LISTEN_ADDR=0.0.0.0:3000
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/throughline", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/throughline"]
CMD ["serve"]

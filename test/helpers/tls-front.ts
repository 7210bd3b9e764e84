import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { connect, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type Server } from "node:tls";

/**
 * An https:// front for a plain-HTTP fake, for objects whose schema only
 * takes https URLs (the GitRepo CRD's `apiUrl`). The certificate is
 * self-signed, made with openssl (which the real API server's script needs
 * too), so clients of it must not verify certificates.
 */
export interface TlsFront {
  readonly url: string;
  stop(): Promise<void>;
}

const selfSigned = (): { key: string; cert: string } => {
  const dir = mkdtempSync(join(tmpdir(), "tls-front-"));
  try {
    const [key, cert] = [join(dir, "key.pem"), join(dir, "cert.pem")];
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-subj", "/CN=127.0.0.1", "-days", "1"], { stdio: "ignore" });
    return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

export const startTlsFront = async (target: string): Promise<TlsFront> => {
  const { port } = new URL(target);
  const server: Server = createServer(selfSigned(), (socket) => {
    const upstream = connect(Number(port), "127.0.0.1");
    socket.pipe(upstream).pipe(socket);
    const close = () => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on("error", close);
    upstream.on("error", close);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
};

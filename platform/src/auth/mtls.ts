import type { IncomingMessage } from 'node:http';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { AppError } from '../errors/index.ts';
import type { AccessClient, AccessPolicy } from './access-file.ts';

/** What identifies a client certificate in the access file: its subject CN and its SANs. */
export interface CertificateIdentity {
  commonName: string | undefined;
  /** As Node prints them: `DNS:host`, `URI:spiffe://…`, `IP Address:10.0.0.1`, `email:x@y`. */
  sans: readonly string[];
}

const untrusted = (reason: string) =>
  new AppError('UNAUTHENTICATED', `Client certificate refused: ${reason}`, {
    headers: { 'www-authenticate': 'Mutual-TLS realm="manifold"' },
  });

function identityOf(certificate: PeerCertificate): CertificateIdentity {
  const commonName = certificate.subject['CN'];
  return {
    commonName: Array.isArray(commonName) ? commonName[0] : commonName,
    sans: (certificate.subjectaltname ?? '')
      .split(', ')
      .map((san) => san.trim())
      .filter((san) => san !== ''),
  };
}

/** The access-file client a certificate identity maps to (subject CN or one SAN), if any. */
export function clientForCertificate(
  policy: AccessPolicy,
  identity: CertificateIdentity,
): AccessClient | undefined {
  for (const client of policy.clients.values()) {
    for (const rule of client.certificates) {
      if (
        'commonName' in rule
          ? rule.commonName === identity.commonName
          : identity.sans.includes(rule.san)
      )
        return client;
    }
  }
  return undefined;
}

/**
 * The client a request's TLS certificate proves, when the connection is mutual TLS and a
 * certificate was sent: one our CA did not sign, or one no client owns, is refused (401). The
 * server requests certificates without rejecting the handshake, so a refusal is an answer the
 * client can read rather than a reset connection.
 */
export function certificateClient(
  req: IncomingMessage,
  policy: AccessPolicy,
): AccessClient | undefined {
  const socket = req.socket as Partial<TLSSocket>;
  if (socket.encrypted !== true || typeof socket.getPeerCertificate !== 'function')
    return undefined;
  const certificate = socket.getPeerCertificate();
  if (Object.keys(certificate).length === 0) return undefined;
  if (socket.authorized !== true)
    throw untrusted(`not issued by a trusted authority (${String(socket.authorizationError)})`);
  const client = clientForCertificate(policy, identityOf(certificate));
  if (!client) throw untrusted('no client owns this certificate');
  return client;
}

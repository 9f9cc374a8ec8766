#!/usr/bin/env bash
# Makes a throw-away certificate authority and certificates for trying mutual TLS locally and in
# the tests — never for production. Usage: scripts/make-test-ca.sh <directory> [client common name]
#   ca.pem / ca-key.pem            the CA a service trusts (TLS_CLIENT_CA_FILE)
#   server.pem / server-key.pem    the service's own certificate for 127.0.0.1 and localhost (TLS_CERT_FILE, TLS_KEY_FILE)
#   client.pem / client-key.pem    a client certificate (CN = the given name, default orders-batch;
#                                  map it to a client in the access file: certificates: [{ commonName: … }])
#   rogue-ca.pem, rogue-client.pem / rogue-client-key.pem   the same client name from another CA (must be refused)
set -euo pipefail
dir=${1:?usage: make-test-ca.sh <directory> [client common name]}
client=${2:-orders-batch}
mkdir -p "$dir"
cd "$dir"
days=30
quiet() { "$@" 2>/dev/null; }

ca() { # name
  quiet openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1-key.pem" -out "$1.pem" -days "$days" \
    -subj "/CN=Manifold test CA ($1)"
}
issue() { # name ca subject extensions
  quiet openssl req -newkey rsa:2048 -nodes -keyout "$1-key.pem" -out "$1.csr" -subj "$3"
  printf '%s\n' "$4" >"$1.ext"
  quiet openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2-key.pem" -CAcreateserial \
    -out "$1.pem" -days "$days" -extfile "$1.ext"
  rm -f "$1.csr" "$1.ext"
}

ca ca
ca rogue-ca
issue server ca "/CN=localhost" "subjectAltName=DNS:localhost,IP:127.0.0.1
extendedKeyUsage=serverAuth"
issue client ca "/CN=$client" "subjectAltName=DNS:$client.internal
extendedKeyUsage=clientAuth"
issue rogue-client rogue-ca "/CN=$client" "subjectAltName=DNS:$client.internal
extendedKeyUsage=clientAuth"
rm -f ./*.srl
echo "test CA and certificates written to $dir (valid $days days)"

"""The AppCDS training run's backend: serves DIR over HTTPS on 127.0.0.1:PORT and requires a client certificate
from DIR/tls/ca.crt, so the gateway's connector makes an mTLS handshake as it does when deployed."""
import functools
import http.server
import ssl
import sys

port, root = int(sys.argv[1]), sys.argv[2]
context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
context.load_cert_chain(root + "/tls/server.crt", root + "/tls/server.pem")
context.load_verify_locations(root + "/tls/ca.crt")
context.verify_mode = ssl.CERT_REQUIRED
handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
backend = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
backend.socket = context.wrap_socket(backend.socket, server_side=True)
backend.serve_forever()

"""A real HTTP server on 127.0.0.1 for the watch tests: routes set by the test (body, status,
headers, a redirect, a delay), ETags computed from the body with 304 on If-None-Match, and a log of the
requests it answered. Written for these tests; the documents it serves are the tests' own."""
import hashlib, http.server, ssl, threading, time


class Server:
    def __init__(self, certfile=None):
        self.routes = {}   # path -> dict(body=bytes, status=int, headers=dict, etag=bool)
        self.log = []      # (path, request headers)
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                outer.log.append((self.path, dict(self.headers)))
                r = outer.routes.get(self.path)
                if r is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if r.get("delay"):  # a server that answers too late
                    time.sleep(r["delay"])
                body = r.get("body", b"")
                status = r.get("status", 200)
                etag = '"%s"' % hashlib.sha1(body).hexdigest()[:16]
                if status == 200 and r.get("etag", True) and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if r.get("cut"):  # a body cut short: promise more than is sent, then close
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body) + 1000))
                    self.end_headers()
                    self.wfile.write(body)
                    self.close_connection = True
                    return
                self.send_response(status)
                for k, v in r.get("headers", {}).items():
                    self.send_header(k, v)
                if status == 200 and r.get("etag", True):
                    self.send_header("ETag", etag)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        class Quiet(http.server.ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request, client_address):
                pass  # a client that gave up (size limit, kill -9) is part of the tests

        self.httpd = Quiet(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        if certfile:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(certfile)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
            self.url = "https://127.0.0.1:%d" % self.port
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def requests(self, path):
        return [h for p, h in self.log if p == path]

    def stop(self):
        self.httpd.shutdown()

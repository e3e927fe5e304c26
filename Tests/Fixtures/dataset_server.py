"""A loopback HTTP server for DatasetDownloadTests: serves DIR on 127.0.0.1 (a free port, printed
on the first line of stdout). `/truncated/<name>` announces the full length of <name> but sends
only half of it, then closes the connection.

Usage: python3 dataset_server.py DIR
"""
import http.server
import os
import sys

ROOT = sys.argv[1]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        truncated = self.path.startswith("/truncated/")
        name = self.path[len("/truncated/"):] if truncated else self.path.lstrip("/")
        path = os.path.join(ROOT, os.path.basename(name))
        if not os.path.isfile(path):
            self.send_error(404)
            return
        with open(path, "rb") as f:
            data = f.read()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data[: len(data) // 2] if truncated else data)
        self.wfile.flush()
        if truncated:
            self.close_connection = True

    def log_message(self, *args):
        pass


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
print(server.server_address[1], flush=True)
server.serve_forever()

# Sourced by benchmarks/load/returning.sh and floor.sh: the nginx they compare against, written the same way for both.
# write_nginx_tls DIR PORT WORKERS CERT KEY CA → DIR/nginx.conf: TLS 1.2/1.3 on 127.0.0.1:PORT with the chain
# CERT + CA, a shared session cache, and a fixed "ok" answer on every path; start it with
#   nginx -c DIR/nginx.conf -e DIR/error.log
write_nginx_tls() {
  local n="$1" port="$2" workers="$3"
  mkdir -p "$n"; chmod 755 "$n"
  cat "$4" "$6" > "$n/chain.pem"; cp "$5" "$n/key.pem"
  cat > "$n/nginx.conf" <<NGINX
worker_processes $workers;
daemon off;
pid $n/nginx.pid;
error_log $n/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $n/cb; proxy_temp_path $n/p; fastcgi_temp_path $n/f; uwsgi_temp_path $n/u; scgi_temp_path $n/s;
  ssl_certificate $n/chain.pem;
  ssl_certificate_key $n/key.pem;
  ssl_protocols TLSv1.2 TLSv1.3;
  ssl_session_cache shared:SSL:10m;
  default_type "";
  server { listen 127.0.0.1:$port ssl; location / { return 200 "ok\\n"; } }
}
NGINX
}

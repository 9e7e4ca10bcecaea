"""Stalls 300 uploads against a running glimpse-web and reports its fds, threads
and the engine's temp uploads before, 2 s after, and once they are released.

    ./bin/glimpse-web -addr 127.0.0.1:18080 -data /tmp/gwdata -body-idle 10s &
    ffmpeg -v error -y -f lavfi -i testsrc2=size=640x360:rate=25:duration=5 -c:v libx264 -pix_fmt yuv420p /tmp/clip5.mp4
    python3 bench/slowclients/slowclients.py /tmp/clip5.mp4 /tmp/gwdata

Figures: docs/SECURITY.md.
"""
import socket,re,time,os,glob,subprocess,sys
pid=int(subprocess.check_output(["pgrep","-f","/tmp/gw -addr"]).split()[0])
def fds(): return len(os.listdir("/proc/%d/fd"%pid))
def threads(): return int([l for l in open("/proc/%d/status"%pid) if l.startswith("Threads")][0].split()[1])
def tmpfiles(): return len(glob.glob(sys.argv[2]+"/engine/tmp/upload-*"))
def get(path, cookie=None):
    s=socket.create_connection(("127.0.0.1",18080)); s.sendall(("GET %s HTTP/1.1\r\nHost: 127.0.0.1:18080\r\nConnection: close\r\n%s\r\n"%(path,"Cookie: %s\r\n"%cookie if cookie else "")).encode())
    out=b""
    while True:
        d=s.recv(65536)
        if not d: break
        out+=d
    return out
out=get("/settings")
cookie=re.search(rb"Set-Cookie: ([^;]+)",out).group(1).decode()
tok=re.search(rb'name="csrf-token" content="([^"]+)"',out).group(1).decode()
# make an index through the form
s=socket.create_connection(("127.0.0.1",18080))
body=("csrf_token=%s&name=slow&marengo=visual"%tok).encode()
s.sendall(("POST /indexes HTTP/1.1\r\nHost: 127.0.0.1:18080\r\nCookie: %s\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"%(cookie,len(body))).encode()+body)
r=s.recv(65536); loc=re.search(rb"Location: /indexes/([0-9a-f]+)",r).group(1).decode()
video=open(sys.argv[1],"rb").read()
print("baseline fds=%d threads=%d tmp=%d"%(fds(),threads(),tmpfiles()))
conns=[]; t0=time.time()
for i in range(300):
    c=socket.create_connection(("127.0.0.1",18080))
    b=b"--XX\r\nContent-Disposition: form-data; name=\"client_id\"\r\n\r\nc%d\r\n--XX\r\nContent-Disposition: form-data; name=\"size\"\r\n\r\n%d\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"s.mp4\"\r\nContent-Type: video/mp4\r\n\r\n"%(i,len(video))
    c.sendall(("POST /indexes/%s/upload HTTP/1.1\r\nHost: 127.0.0.1:18080\r\nCookie: %s\r\nX-CSRF-Token: %s\r\nContent-Type: multipart/form-data; boundary=XX\r\nContent-Length: %d\r\n\r\n"%(loc,cookie,tok,len(b)+len(video)+8)).encode()+b+video[:1024])
    conns.append(c)
time.sleep(2)
status={}
for c in conns:
    c.settimeout(0.05)
    try:
        d=c.recv(100); st=d.split(b" ")[1].decode() if d else "closed"
    except Exception: st="open"
    status[st]=status.get(st,0)+1
print("after 300 stalls +2s fds=%d threads=%d tmp=%d answers=%s"%(fds(),threads(),tmpfiles(),status))
for w in range(40):
    time.sleep(1)
    if tmpfiles()==0 and fds()<60: break
print("after %.0fs fds=%d threads=%d tmp=%d"%(time.time()-t0,fds(),threads(),tmpfiles()))

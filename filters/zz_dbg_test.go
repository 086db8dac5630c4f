package filters
import ("testing";"time";"os";"runtime/pprof")
func FuzzZZ(f *testing.F) {
	for _, c := range g2Load(f, "blosc") { for _, ch := range c.Chunks { if ch.Size < 4096 { f.Add(g2Read(f, "blosc", ch.File)) } } }
	f.Fuzz(func(t *testing.T, src []byte) {
		done:=make(chan bool)
		go func(){ select { case <-done: case <-time.After(2*time.Second): os.WriteFile("/tmp/hang.bin", src, 0644); fh,_:=os.Create("/tmp/hang.txt"); pprof.Lookup("goroutine").WriteTo(fh, 2); fh.Close(); os.Exit(3) } }()
		bloscFilter{}.Decode(nil, src, nil, 1<<20)
		close(done)
	})
}

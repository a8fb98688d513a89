package xdsclient

import "time"

// deadline is a re-armable timer whose channel is nil while unset, so a
// select on C() blocks forever when there is nothing to wait for.
type deadline struct {
	t  *time.Timer
	at time.Time
}

// set arms the timer for at; a zero at disarms it.
func (d *deadline) set(at time.Time) {
	if at.Equal(d.at) && d.t != nil {
		return
	}
	d.stop()
	if at.IsZero() {
		return
	}
	d.at = at
	d.t = time.NewTimer(time.Until(at))
}

// C fires when the deadline passes; nil while unset.
func (d *deadline) C() <-chan time.Time {
	if d.t == nil {
		return nil
	}
	return d.t.C
}

func (d *deadline) stop() {
	if d.t != nil {
		d.t.Stop()
	}
	d.t, d.at = nil, time.Time{}
}

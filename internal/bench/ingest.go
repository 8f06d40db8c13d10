package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Wire shapes of POST /events/add, as PyMISP sends them.
type (
	wireEvent struct {
		Event wireEventBody `json:"Event"`
	}
	wireEventBody struct {
		UUID           string       `json:"uuid"`
		Info           string       `json:"info"`
		Date           string       `json:"date"`
		ThreatLevelID  string       `json:"threat_level_id"`
		Analysis       string       `json:"analysis"`
		Distribution   string       `json:"distribution"`
		SharingGroupID string       `json:"sharing_group_id,omitempty"`
		Published      bool         `json:"published"`
		Timestamp      string       `json:"timestamp"`
		Tag            []wireTag    `json:"Tag,omitempty"`
		Attribute      []wireAttr   `json:"Attribute"`
		Object         []wireObject `json:"Object,omitempty"`
	}
	wireTag struct {
		Name string `json:"name"`
	}
	wireAttr struct {
		UUID           string    `json:"uuid"`
		Type           string    `json:"type"`
		Value          string    `json:"value"`
		ObjectRelation string    `json:"object_relation,omitempty"`
		ToIDS          bool      `json:"to_ids"`
		Distribution   string    `json:"distribution"`
		SharingGroupID string    `json:"sharing_group_id,omitempty"`
		Timestamp      string    `json:"timestamp"`
		Tag            []wireTag `json:"Tag,omitempty"`
	}
	wireObject struct {
		UUID            string     `json:"uuid"`
		Name            string     `json:"name"`
		MetaCategory    string     `json:"meta-category"`
		TemplateUUID    string     `json:"template_uuid"`
		TemplateVersion string     `json:"template_version"`
		Distribution    string     `json:"distribution"`
		Timestamp       string     `json:"timestamp"`
		Attribute       []wireAttr `json:"Attribute"`
	}
)

// wire renders a generated event as MISP JSON for the run's ids.
func (r *run) wire(e *genEvent) wireEvent {
	itoa := strconv.Itoa
	sg := func(dist, sgIndex int) string {
		if dist != 4 {
			return ""
		}
		return strconv.FormatInt(r.sgIDs[sgIndex], 10)
	}
	attr := func(a *genAttr) wireAttr {
		w := wireAttr{UUID: a.uuid, Type: a.typ, Value: a.value, ObjectRelation: a.relation, ToIDS: a.toIDS,
			Distribution: itoa(a.distribution), SharingGroupID: sg(a.distribution, a.sgIndex),
			Timestamp: strconv.FormatInt(a.timestamp, 10)}
		if a.tag >= 0 {
			w.Tag = []wireTag{{tagNames[a.tag]}}
		}
		return w
	}
	b := wireEventBody{UUID: e.uuid, Info: e.info, Date: e.date, ThreatLevelID: itoa(1 + e.plan.index%4),
		Analysis: itoa(e.plan.index % 3), Distribution: itoa(e.plan.distribution),
		SharingGroupID: sg(e.plan.distribution, e.plan.sgIndex), Published: true,
		Timestamp: strconv.FormatInt(e.timestamp, 10), Attribute: []wireAttr{}}
	for _, t := range e.tags {
		b.Tag = append(b.Tag, wireTag{tagNames[t]})
	}
	for _, a := range e.attrs {
		b.Attribute = append(b.Attribute, attr(a))
	}
	for _, o := range e.objects {
		w := wireObject{UUID: o.uuid, Name: o.name, MetaCategory: map[string]string{"file": "file", "domain-ip": "network"}[o.name],
			TemplateUUID: o.template, TemplateVersion: "1", Distribution: "5", Timestamp: strconv.FormatInt(e.timestamp, 10)}
		for _, a := range o.attrs {
			w.Attribute = append(w.Attribute, attr(a))
		}
		b.Object = append(b.Object, w)
	}
	return wireEvent{b}
}

// ingest posts every planned event to /events/add with cfg.Clients
// concurrent clients, each event as its owner organisation's publisher.
func (r *run) ingest(ctx context.Context) error {
	r.eventIDs = make([]int64, len(r.c.events))
	jobs := make(chan int)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		if first == nil {
			first = err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	client := &http.Client{Timeout: 30 * time.Minute}
	start := time.Now()
	for w := 0; w < r.cfg.Clients; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				e := r.c.event(i)
				id, err := r.postEvent(ctx, client, r.keys[e.plan.org], r.wire(e))
				if err != nil {
					fail(fmt.Errorf("event %d (%d attributes): %w", i, e.plan.size, err))
					cancel()
					continue
				}
				r.eventIDs[i] = id
			}
		}()
	}
	progress := time.Now()
	done := 0
feed:
	for i := range r.c.events {
		select {
		case jobs <- i:
		case <-ctx.Done():
			break feed
		}
		done += r.c.events[i].size
		if time.Since(progress) > 30*time.Second {
			progress = time.Now()
			r.logf("ingest: %d/%d attributes queued, %.0f attributes/s", done, r.c.total, float64(done)/time.Since(start).Seconds())
		}
	}
	close(jobs)
	wg.Wait()
	if first != nil {
		return first
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	d := time.Since(start)
	r.rep.Ingest.API = Rate{Seconds: d.Seconds(), Attributes: r.c.total, PerSecond: float64(r.c.total) / d.Seconds()}
	// Every attribute must have been stored: the API drops nothing of a
	// valid event, so a mismatch is a generator or ingest bug.
	var n int
	if err := r.db.SQL().QueryRowContext(ctx, "SELECT COUNT(*) FROM attributes").Scan(&n); err != nil {
		return err
	}
	if n != r.c.total {
		return fmt.Errorf("stored %d attributes, generated %d", n, r.c.total)
	}
	return nil
}

// postEvent posts one event and returns its id.
func (r *run) postEvent(ctx context.Context, client *http.Client, key string, e wireEvent) (int64, error) {
	body, err := json.Marshal(e)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url+"/events/add", bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Authorization", key)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "PyMISP razmena-bench")
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 2048)) // best effort, for the error message
		return 0, fmt.Errorf("POST /events/add: %s: %s", resp.Status, msg)
	}
	// Only the id is needed; the rest of the (possibly large) answer is
	// read by the decoder and dropped.
	var out struct {
		Event struct {
			ID json.Number `json:"id"`
		} `json:"Event"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return 0, fmt.Errorf("POST /events/add: answer: %w", err)
	}
	id, err := strconv.ParseInt(out.Event.ID.String(), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("POST /events/add: answer id %q: %w", out.Event.ID, err)
	}
	return id, nil
}

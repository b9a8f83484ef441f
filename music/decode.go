package music

import (
	"bytes"
	"slices"
	"strconv"

	"github.com/disgoorg/snowflake/v2"
)

// The decoder in this file reads the JSON of tracks and snapshots without
// reflection. It accepts exactly what encoding/json accepts for the wire
// structs in track_json.go and snapshot_json.go, and produces the same
// values: keys match ignoring case, a repeated key decodes over what the
// earlier one left (as encoding/json does into structs, pointers and
// slices), unknown keys are skipped, null leaves a scalar alone, invalid
// UTF-8 in strings becomes U+FFFD byte by byte, and nesting deeper than
// 10,000 levels is an error. Differential fuzz tests hold it to
// encoding/json. It is about five times faster and allocates only what it
// returns.

// is reports whether key names the field name, ignoring case as
// encoding/json does.
func is(key []byte, name string) bool {
	return string(key) == name || bytes.EqualFold(key, []byte(name))
}

// track decodes a track object into w, field by field over what w holds;
// depth is the nesting level of its container.
func (d *decoder) track(w *trackJSON, depth int) error {
	level := depth + 1
	if ok, err := d.openObject(level); !ok || err != nil {
		return err
	}
	for first := true; ; first = false {
		k, more, err := d.nextKey(first)
		if err != nil || !more {
			return err
		}
		switch {
		case is(k, "encoded"):
			err = d.str(&w.Encoded)
		case is(k, "info"):
			err = d.info(&w.Info, level)
		case is(k, "pluginInfo"):
			err = d.raw(&w.PluginInfo, level)
		case is(k, "userData"):
			err = d.raw(&w.UserData, level)
		case is(k, "requester"):
			err = d.id(&w.Requester, level)
		case is(k, "addedAt"):
			err = d.unmarshaler(&w.AddedAt, level)
		default:
			err = d.skip(level)
		}
		if err != nil {
			return err
		}
	}
}

func (d *decoder) info(w *trackInfoJSON, depth int) error {
	level := depth + 1
	if ok, err := d.openObject(level); !ok || err != nil {
		return err
	}
	for first := true; ; first = false {
		k, more, err := d.nextKey(first)
		if err != nil || !more {
			return err
		}
		switch {
		case is(k, "identifier"):
			err = d.str(&w.Identifier)
		case is(k, "isSeekable"):
			err = d.bool(&w.IsSeekable)
		case is(k, "author"):
			err = d.str(&w.Author)
		case is(k, "length"):
			err = d.int64(&w.Length)
		case is(k, "isStream"):
			err = d.bool(&w.IsStream)
		case is(k, "position"):
			err = d.int64(&w.Position)
		case is(k, "title"):
			err = d.str(&w.Title)
		case is(k, "uri"):
			err = d.str(&w.URI)
		case is(k, "artworkUrl"):
			err = d.str(&w.ArtworkURL)
		case is(k, "isrc"):
			err = d.str(&w.ISRC)
		case is(k, "sourceName"):
			err = d.sourceName(&w.SourceName)
		default:
			err = d.skip(level)
		}
		if err != nil {
			return err
		}
	}
}

// sourceName decodes a string like str, without allocating for the names
// of Lavalink's common source managers.
func (d *decoder) sourceName(p *string) error {
	if d.peek() == '"' {
		start := d.pos + 1
		if end := bytes.IndexByte(d.data[start:], '"'); end >= 0 {
			switch v := d.data[start : start+end]; string(v) {
			case "youtube", "soundcloud", "http", "bandcamp", "twitch", "vimeo", "nico", "local", "spotify", "deezer", "applemusic", "yandexmusic":
				*p = sourceNames[string(v)]
				d.pos = start + end + 1
				return nil
			}
		}
	}
	return d.str(p)
}

var sourceNames = map[string]string{
	"youtube": "youtube", "soundcloud": "soundcloud", "http": "http", "bandcamp": "bandcamp",
	"twitch": "twitch", "vimeo": "vimeo", "nico": "nico", "local": "local", "spotify": "spotify",
	"deezer": "deezer", "applemusic": "applemusic", "yandexmusic": "yandexmusic",
}

// id decodes a snowflake as snowflake.ID.UnmarshalJSON does, parsing a
// plain quoted number itself to avoid its allocations.
func (d *decoder) id(p *snowflake.ID, depth int) error {
	if d.peek() == '"' {
		i := d.pos + 1
		for i < len(d.data) && i-d.pos <= 21 && '0' <= d.data[i] && d.data[i] <= '9' {
			i++
		}
		if i < len(d.data) && d.data[i] == '"' && i > d.pos+1 {
			if v, err := strconv.ParseUint(string(d.data[d.pos+1:i]), 10, 64); err == nil {
				*p = snowflake.ID(v)
				d.pos = i + 1
				return nil
			}
		}
	}
	return d.unmarshaler(p, depth)
}

// trackArray decodes an array of tracks into *ws the way encoding/json
// decodes into a slice that may hold values already (when a key repeats):
// null sets it to nil, [] to a new empty slice, and elements decode over
// whatever the backing array holds at their index.
func (d *decoder) trackArray(ws *[]trackJSON, depth int) error {
	level := depth + 1
	ok, err := d.openArray(level)
	if err != nil {
		return err
	}
	if !ok {
		*ws = nil
		return nil
	}
	s := *ws
	i := 0
	for first := true; ; first = false {
		more, err := d.nextElem(first)
		if err != nil {
			return err
		}
		if !more {
			break
		}
		if i >= cap(s) {
			s = slices.Grow(s, 1)
		}
		if i >= len(s) {
			s = s[:i+1]
		}
		if err := d.track(&s[i], level); err != nil {
			return err
		}
		i++
	}
	if i == 0 {
		s = []trackJSON{}
	}
	*ws = s[:i]
	return nil
}

func (d *decoder) snapshot(w *snapshotJSON) error {
	const level = 1
	if ok, err := d.openObject(level); !ok || err != nil {
		return err
	}
	for first := true; ; first = false {
		k, more, err := d.nextKey(first)
		if err != nil || !more {
			return err
		}
		switch {
		case is(k, "version"):
			err = d.int(&w.Version)
		case is(k, "guildId"):
			err = d.id(&w.GuildID, level)
		case is(k, "state"):
			err = d.state(&w.State)
		case is(k, "current"):
			err = d.current(&w.Current, level)
		case is(k, "position"):
			err = d.int64(&w.Position)
		case is(k, "positionAt"):
			err = d.unmarshaler(&w.PositionAt, level)
		case is(k, "volume"):
			err = d.int(&w.Volume)
		case is(k, "filters"):
			err = d.raw(&w.Filters, level)
		case is(k, "voiceChannelId"):
			err = d.id(&w.VoiceChannelID, level)
		case is(k, "textChannelId"):
			err = d.id(&w.TextChannelID, level)
		case is(k, "node"):
			err = d.str(&w.Node)
		case is(k, "nodeSessionId"):
			err = d.str(&w.NodeSessionID)
		case is(k, "lastActivity"):
			err = d.unmarshaler(&w.LastActivity, level)
		case is(k, "queue"):
			err = d.trackArray(&w.Queue, level)
		case is(k, "history"):
			err = d.trackArray(&w.History, level)
		default:
			err = d.skip(level)
		}
		if err != nil {
			return err
		}
	}
}

// current decodes the current track as encoding/json decodes into a
// pointer: null sets nil, an object decodes over what is there.
func (d *decoder) current(p **trackJSON, depth int) error {
	if isNull, err := d.null(); isNull || err != nil {
		if err == nil {
			*p = nil
		}
		return err
	}
	if *p == nil {
		*p = new(trackJSON)
	}
	return d.track(*p, depth)
}

func (d *decoder) state(p *SessionState) error {
	if isNull, err := d.null(); isNull || err != nil {
		return err
	}
	if d.peek() != '"' {
		if err := d.skip(0); err != nil {
			return err
		}
		return d.errorf("state is not a string")
	}
	var s string
	if err := d.str(&s); err != nil {
		return err
	}
	return p.UnmarshalText([]byte(s))
}

// decodeTrack decodes one track object, the whole input.
func decodeTrack(data []byte) (Track, error) {
	d := decoder{data: data}
	var w trackJSON
	if err := d.track(&w, 0); err != nil {
		return Track{}, err
	}
	if err := d.end(); err != nil {
		return Track{}, err
	}
	return w.track(), nil
}

// decodeSnapshot decodes one snapshot object, the whole input, into its
// wire form.
func decodeSnapshot(data []byte) (snapshotJSON, error) {
	d := decoder{data: data}
	var w snapshotJSON
	if err := d.snapshot(&w); err != nil {
		return snapshotJSON{}, err
	}
	if err := d.end(); err != nil {
		return snapshotJSON{}, err
	}
	return w, nil
}

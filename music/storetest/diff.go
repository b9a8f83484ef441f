package storetest

import (
	"fmt"
	"strings"

	"github.com/tunekit/tunekit/music"
)

// diff describes how got differs from want, field by field, naming at most
// a few differing tracks so a 10,000-track failure stays readable.
func diff(want, got music.Snapshot) string {
	var b strings.Builder
	line := func(field string, w, g any) { fmt.Fprintf(&b, "  %s: got %v, want %v\n", field, g, w) }
	if want.Version != got.Version && !(want.Version == 0 && got.Version == music.SnapshotVersion) {
		line("Version", want.Version, got.Version)
	}
	if want.GuildID != got.GuildID {
		line("GuildID", want.GuildID, got.GuildID)
	}
	if want.State != got.State {
		line("State", want.State, got.State)
	}
	if want.Position != got.Position {
		line("Position", want.Position, got.Position)
	}
	if !want.PositionAt.Equal(got.PositionAt) {
		line("PositionAt", want.PositionAt, got.PositionAt)
	}
	if want.Volume != got.Volume {
		line("Volume", want.Volume, got.Volume)
	}
	if string(want.Filters) != string(got.Filters) {
		line("Filters", string(want.Filters), string(got.Filters))
	}
	if want.VoiceChannelID != got.VoiceChannelID {
		line("VoiceChannelID", want.VoiceChannelID, got.VoiceChannelID)
	}
	if want.TextChannelID != got.TextChannelID {
		line("TextChannelID", want.TextChannelID, got.TextChannelID)
	}
	if want.Node != got.Node {
		line("Node", want.Node, got.Node)
	}
	if want.NodeSessionID != got.NodeSessionID {
		line("NodeSessionID", want.NodeSessionID, got.NodeSessionID)
	}
	if !want.LastActivity.Equal(got.LastActivity) {
		line("LastActivity", want.LastActivity, got.LastActivity)
	}
	switch {
	case (want.Current == nil) != (got.Current == nil):
		line("Current", want.Current, got.Current)
	case want.Current != nil && !want.Current.Equal(*got.Current):
		line("Current", fmt.Sprintf("%+v", *want.Current), fmt.Sprintf("%+v", *got.Current))
	}
	tracks("Queue", &b, want.Queue, got.Queue)
	tracks("History", &b, want.History, got.History)
	if b.Len() == 0 {
		return "  (no difference found field by field)"
	}
	return b.String()
}

func tracks(name string, b *strings.Builder, want, got []music.Track) {
	if len(want) != len(got) {
		fmt.Fprintf(b, "  len(%s): got %d, want %d\n", name, len(got), len(want))
	}
	shown := 0
	for i := range min(len(want), len(got)) {
		if want[i].Equal(got[i]) {
			continue
		}
		if shown++; shown > 3 {
			fmt.Fprintf(b, "  %s: more tracks differ\n", name)
			return
		}
		fmt.Fprintf(b, "  %s[%d]:\n    got  %+v\n    want %+v\n", name, i, got[i], want[i])
	}
}

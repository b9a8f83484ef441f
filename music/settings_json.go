package music

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/disgoorg/snowflake/v2"
)

// settingsJSON holds only the values a guild chose; absent keys are
// defaults.
type settingsJSON struct {
	Volume            *int          `json:"volume,omitempty"`
	Loop              *LoopMode     `json:"loop,omitempty"`
	Autoplay          *bool         `json:"autoplay,omitempty"`
	DJRoleID          *snowflake.ID `json:"djRoleId,omitempty"`
	AnnounceChannelID *snowflake.ID `json:"announceChannelId,omitempty"`
	StayConnected     *bool         `json:"stayConnected,omitempty"`
	MaxQueueLength    *int          `json:"maxQueueLength,omitempty"`
	FairQueue         *bool         `json:"fairQueue,omitempty"`
	MaxTrackLength    *int64        `json:"maxTrackLength,omitempty"` // milliseconds
	MaxUserShare      *int          `json:"maxUserShare,omitempty"`
	VoteSkipShare     *int          `json:"voteSkipShare,omitempty"`
}

// MarshalJSON encodes the values the guild chose, for example
// {"volume":80,"loop":"queue"}; the zero Settings is {}.
func (s Settings) MarshalJSON() ([]byte, error) {
	var w settingsJSON
	if s.set&setVolume != 0 {
		v := int(s.volume)
		w.Volume = &v
	}
	if s.set&setLoop != 0 {
		w.Loop = &s.loop
	}
	if s.set&setAutoplay != 0 {
		w.Autoplay = &s.autoplay
	}
	if s.set&setDJRole != 0 {
		w.DJRoleID = &s.djRoleID
	}
	if s.set&setAnnounce != 0 {
		w.AnnounceChannelID = &s.announceChannelID
	}
	if s.set&setStay != 0 {
		w.StayConnected = &s.stayConnected
	}
	if s.set&setMaxQueue != 0 {
		n := int(s.maxQueueLength)
		w.MaxQueueLength = &n
	}
	if s.set&setFair != 0 {
		w.FairQueue = &s.fairQueue
	}
	if s.set&setMaxTrack != 0 {
		ms := int64(s.maxTrackSeconds) * 1000
		w.MaxTrackLength = &ms
	}
	if s.set&setUserShare != 0 {
		n := int(s.maxUserShare)
		w.MaxUserShare = &n
	}
	if s.set&setVoteShare != 0 {
		n := int(s.voteSkipShare)
		w.VoteSkipShare = &n
	}
	return json.Marshal(w)
}

// UnmarshalJSON decodes what MarshalJSON writes and validates it as the
// With methods do: a value out of range is a [*RangeError], loop and
// autoplay both on is a [*ConflictError]. On error s is unchanged.
func (s *Settings) UnmarshalJSON(data []byte) error {
	var w settingsJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("music: decode settings: %w", err)
	}
	var out Settings
	var err error
	if w.Volume != nil {
		if out, err = out.WithVolume(*w.Volume); err != nil {
			return err
		}
	}
	if w.Autoplay != nil {
		out, _ = out.WithAutoplay(*w.Autoplay) // loop is still off here
	}
	if w.Loop != nil {
		if out, err = out.WithLoop(*w.Loop); err != nil {
			return err
		}
	}
	if w.DJRoleID != nil {
		out = out.WithDJRoleID(*w.DJRoleID)
	}
	if w.AnnounceChannelID != nil {
		out = out.WithAnnounceChannelID(*w.AnnounceChannelID)
	}
	if w.StayConnected != nil {
		out = out.WithStayConnected(*w.StayConnected)
	}
	if w.MaxQueueLength != nil {
		if out, err = out.WithMaxQueueLength(*w.MaxQueueLength); err != nil {
			return err
		}
	}
	if w.FairQueue != nil {
		out = out.WithFairQueue(*w.FairQueue)
	}
	if w.MaxTrackLength != nil {
		ms := *w.MaxTrackLength
		if ms < 0 || ms > int64(MaxTrackLengthLimit/time.Millisecond) {
			return &RangeError{Setting: "max track length", Value: int(max(min(ms/1000, 1<<31), -1<<31)), Min: 0, Max: int(MaxTrackLengthLimit / time.Second)}
		}
		out, _ = out.WithMaxTrackLength(time.Duration(ms) * time.Millisecond)
	}
	if w.MaxUserShare != nil {
		if out, err = out.WithMaxUserShare(*w.MaxUserShare); err != nil {
			return err
		}
	}
	if w.VoteSkipShare != nil {
		if out, err = out.WithVoteSkipShare(*w.VoteSkipShare); err != nil {
			return err
		}
	}
	*s = out
	return nil
}

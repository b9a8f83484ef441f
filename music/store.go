package music

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/disgoorg/snowflake/v2"
)

// SettingsStore keeps each guild's [Settings].
//
// Implementations must be safe for concurrent use. music/storetest checks
// an implementation against this contract.
type SettingsStore interface {
	// Get returns the guild's settings. A guild that never stored any gets
	// the zero Settings, the defaults, and no error.
	Get(ctx context.Context, guildID snowflake.ID) (Settings, error)
	// Put stores the guild's settings, replacing what was there. Only
	// the values the guild chose are kept (as Settings' JSON form holds
	// them): a bot's defaults applied with [Settings.WithDefaults] are
	// not stored.
	Put(ctx context.Context, guildID snowflake.ID, s Settings) error
}

// SessionStore keeps each guild's [Snapshot], so playback survives a
// restart of the bot and is visible to other instances.
//
// Implementations must be safe for concurrent use, write a guild's
// snapshot atomically (a Load sees one Save entirely or not at all), and
// treat the schema version as [Snapshot.UnmarshalJSON] does: a Load of a
// snapshot from a newer schema returns a [*SnapshotVersionError] and leaves
// it stored. music/storetest checks an implementation against this
// contract.
type SessionStore interface {
	// Save stores the snapshot of s.GuildID, replacing the previous one.
	// A guild ID of 0 is an error matching ErrInvalidID.
	Save(ctx context.Context, s Snapshot) error
	// Load returns the guild's snapshot, or an error matching
	// ErrSnapshotNotFound when there is none.
	Load(ctx context.Context, guildID snowflake.ID) (Snapshot, error)
	// Delete removes the guild's snapshot; deleting a missing one is not
	// an error. The guild's settings stay.
	Delete(ctx context.Context, guildID snowflake.ID) error
	// List returns the guilds that have a snapshot, in ascending order.
	List(ctx context.Context) ([]snowflake.ID, error)
}

// MemoryStore is a [SettingsStore] and [SessionStore] in memory, for tests
// and for bots that need nothing to survive a restart. It stores deep
// copies, so neither the caller's values nor the loaded ones share memory
// with it, and keeps only the values a guild chose, as a store of JSON
// does. The zero value is not usable; call [NewMemoryStore]. It is safe
// for concurrent use.
type MemoryStore struct {
	mu        sync.RWMutex
	settings  map[snowflake.ID]Settings
	snapshots map[snowflake.ID]Snapshot
}

// NewMemoryStore returns an empty store.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{
		settings:  make(map[snowflake.ID]Settings),
		snapshots: make(map[snowflake.ID]Snapshot),
	}
}

func checkGuild(op string, id snowflake.ID) error {
	if id == 0 {
		return fmt.Errorf("music: %s guild 0: %w", op, ErrInvalidID)
	}
	return nil
}

// Get implements [SettingsStore].
func (m *MemoryStore) Get(ctx context.Context, guildID snowflake.ID) (Settings, error) {
	if err := ctx.Err(); err != nil {
		return Settings{}, err
	}
	if err := checkGuild("get settings of", guildID); err != nil {
		return Settings{}, err
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.settings[guildID], nil
}

// Put implements [SettingsStore].
func (m *MemoryStore) Put(ctx context.Context, guildID snowflake.ID, s Settings) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkGuild("put settings of", guildID); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.settings[guildID] = s.choices()
	return nil
}

// Save implements [SessionStore].
func (m *MemoryStore) Save(ctx context.Context, s Snapshot) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := checkGuild("save session of", s.GuildID); err != nil {
		return err
	}
	s = s.Clone()
	s.Version = s.version()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.snapshots[s.GuildID] = s
	return nil
}

// Load implements [SessionStore].
func (m *MemoryStore) Load(ctx context.Context, guildID snowflake.ID) (Snapshot, error) {
	if err := ctx.Err(); err != nil {
		return Snapshot{}, err
	}
	if err := checkGuild("load session of", guildID); err != nil {
		return Snapshot{}, err
	}
	m.mu.RLock()
	s, ok := m.snapshots[guildID]
	m.mu.RUnlock()
	if !ok {
		return Snapshot{}, ErrSnapshotNotFound
	}
	if err := s.CheckVersion(); err != nil {
		return Snapshot{}, err
	}
	return s.Clone(), nil
}

// Delete implements [SessionStore].
func (m *MemoryStore) Delete(ctx context.Context, guildID snowflake.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.snapshots, guildID)
	return nil
}

// List implements [SessionStore].
func (m *MemoryStore) List(ctx context.Context) ([]snowflake.ID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.RLock()
	ids := make([]snowflake.ID, 0, len(m.snapshots))
	for id := range m.snapshots {
		ids = append(ids, id)
	}
	m.mu.RUnlock()
	slices.Sort(ids)
	return ids, nil
}

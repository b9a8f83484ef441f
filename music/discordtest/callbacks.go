package discordtest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/disgoorg/disgo/discord"
	"github.com/disgoorg/snowflake/v2"
)

// Response is an interaction's initial response (its callback), as the bot
// sent it.
type Response struct {
	InteractionID snowflake.ID
	Type          discord.InteractionResponseType
	// Data is the callback's data object verbatim (nil when it had none).
	Data json.RawMessage
	// Message is the message the callback created (types 4 and 5, a
	// deferred one still loading) or updated (types 6 and 7: the message
	// the button is on), as it was right after the callback.
	Message *Message
	// Choices are the autocomplete choices (type 8).
	Choices []Choice
}

// Ephemeral reports whether the response message is only visible to the
// user who interacted.
func (r Response) Ephemeral() bool {
	return r.Message != nil && r.Message.Flags.Has(discord.MessageFlagEphemeral)
}

// Choice is one autocomplete choice. Value is a string or a float64.
type Choice struct {
	Name  string `json:"name"`
	Value any    `json:"value"`
}

// Responses lists every interaction response in the order they arrived.
func (s *Server) Responses() []Response {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Response, len(s.responses))
	copy(out, s.responses)
	return out
}

type callbackBody struct {
	Type *discord.InteractionResponseType `json:"type"`
	Data json.RawMessage                  `json:"data"`
}

// postCallback answers POST /interactions/{id}/{token}/callback.
func (s *Server) postCallback(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id, e := parseID(call, "id", "interaction_id")
	if e != nil {
		return 0, e
	}
	ix := s.interactions[id]
	if ix == nil || ix.token != call.param("token") || s.cfg.now().Sub(ix.created) > s.cfg.interactionDeadline {
		return 0, unknown(10062, "interaction")
	}
	if ix.acked {
		return 0, newAPIError(http.StatusBadRequest, 40060, "Interaction has already been acknowledged.")
	}
	var body callbackBody
	if e := call.decode(&body); e != nil {
		return 0, e
	}
	if body.Type == nil {
		var fe formErrors
		fe.add("BASE_TYPE_REQUIRED", "This field is required", "type")
		return 0, fe.err()
	}
	resp := Response{InteractionID: ix.id, Type: *body.Type}
	if len(body.Data) > 0 && string(body.Data) != "null" {
		resp.Data = body.Data
	}
	var msg *message
	component := ix.kind == discord.InteractionTypeComponent
	switch t := *body.Type; {
	case t == discord.InteractionResponseTypeCreateMessage && ix.kind != discord.InteractionTypeAutocomplete:
		data, e := decodeFields(body.Data)
		if e != nil {
			return 0, e
		}
		flags, e := validateMessage(data, true, true, len(call.files), 0)
		if e != nil {
			return 0, e
		}
		msg = s.newMessageLocked(s.channels[ix.channelID], data, flags, responseMessageType(ix), call.files, ix)
		ix.original = msg.id
	case t == discord.InteractionResponseTypeDeferredCreateMessage && ix.kind != discord.InteractionTypeAutocomplete:
		data, e := decodeFields(body.Data)
		if e != nil {
			return 0, e
		}
		var flags int
		if v, ok := data["flags"]; ok {
			_ = json.Unmarshal(v, &flags)
		}
		msg = s.newMessageLocked(s.channels[ix.channelID], fields{}, flags&flagEphemeral|flagLoading, responseMessageType(ix), nil, ix)
		ix.original = msg.id
	case t == discord.InteractionResponseTypeDeferredUpdateMessage && component:
		msg = s.messages[ix.source]
		ix.original = msg.id
	case t == discord.InteractionResponseTypeUpdateMessage && component:
		data, e := decodeFields(body.Data)
		if e != nil {
			return 0, e
		}
		msg = s.messages[ix.source]
		flags, e := validateMessage(data, false, false, len(call.files), msg.flags())
		if e != nil {
			return 0, e
		}
		s.editLocked(msg, data, flags)
		ix.original = msg.id
	case t == discord.InteractionResponseTypeAutocompleteResult && ix.kind == discord.InteractionTypeAutocomplete:
		choices, e := validateChoices(body.Data)
		if e != nil {
			return 0, e
		}
		resp.Choices = choices
	case t == discord.InteractionResponseTypeModal && ix.kind != discord.InteractionTypeAutocomplete,
		t == discord.InteractionResponseTypeLaunchActivity && ix.kind != discord.InteractionTypeAutocomplete:
		// Recorded only: the fake has no modal or activity UI.
	default:
		var fe formErrors
		fe.add("INTERACTION_RESPONSE_TYPE_INVALID", fmt.Sprintf("Interaction response type %d is not valid for this interaction", t), "type")
		return 0, fe.err()
	}
	if msg != nil {
		pm := msg.public()
		resp.Message = &pm
	}
	ix.acked = true
	ix.respType = resp.Type
	ix.response = len(s.responses)
	s.responses = append(s.responses, resp)
	s.notifyLocked()
	if call.r.URL.Query().Get("with_response") != "true" {
		return http.StatusNoContent, nil
	}
	cb := object{"id": ix.id, "type": ix.kind}
	resource := object{"type": resp.Type}
	if msg != nil {
		cb["response_message_id"] = msg.id
		cb["response_message_loading"] = msg.loading
		cb["response_message_ephemeral"] = msg.ephemeral
		resource["message"] = msg.fields
	}
	return http.StatusOK, object{"interaction": cb, "resource": resource}
}

// responseMessageType is the message type Discord gives interaction
// responses: 20 (CHAT_INPUT_COMMAND) for slash commands, 0 otherwise.
func responseMessageType(ix *interaction) int {
	if ix.kind == discord.InteractionTypeApplicationCommand {
		return int(discord.MessageTypeSlashCommand)
	}
	return int(discord.MessageTypeDefault)
}

func decodeFields(data json.RawMessage) (fields, *apiError) {
	f := fields{}
	if len(data) == 0 || string(data) == "null" {
		return f, nil
	}
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, errBadJSON()
	}
	return f, nil
}

// validateChoices checks autocomplete choices: at most 25, names of 1 to 100
// characters, string values of at most 100.
func validateChoices(data json.RawMessage) ([]Choice, *apiError) {
	var body struct {
		Choices []Choice `json:"choices"`
	}
	if len(data) == 0 || json.Unmarshal(data, &body) != nil {
		var fe formErrors
		fe.add("BASE_TYPE_REQUIRED", "This field is required", "data", "choices")
		return nil, fe.err()
	}
	var fe formErrors
	if len(body.Choices) > maxChoices {
		fe.add("BASE_TYPE_MAX_LENGTH", "Must be 25 or fewer in length.", "data", "choices")
	}
	for i, c := range body.Choices {
		idx := fmt.Sprint(i)
		if n := runes(c.Name); n < 1 || n > maxChoiceName {
			fe.add("BASE_TYPE_BAD_LENGTH", "Must be between 1 and 100 in length.", "data", "choices", idx, "name")
		}
		switch v := c.Value.(type) {
		case string:
			if runes(v) > maxChoiceString {
				fe.add("BASE_TYPE_MAX_LENGTH", "Must be 100 or fewer in length.", "data", "choices", idx, "value")
			}
		case float64:
		default:
			fe.add("BASE_TYPE_REQUIRED", "This field is required", "data", "choices", idx, "value")
		}
	}
	if e := fe.err(); e != nil {
		return nil, e
	}
	if body.Choices == nil {
		body.Choices = []Choice{}
	}
	return body.Choices, nil
}

// webhookLocked resolves an interaction webhook: the application ID and
// the token, which lives 15 minutes.
func (s *Server) webhookLocked(call *restCall) (*interaction, *apiError) {
	app, err := snowflake.Parse(call.param("app"))
	ix := s.byToken[call.param("token")]
	if err != nil || app != s.cfg.appID || ix == nil {
		return nil, unknown(10015, "Webhook")
	}
	if s.cfg.now().Sub(ix.created) > s.cfg.tokenLifetime {
		return nil, newAPIError(http.StatusUnauthorized, 50027, "Invalid Webhook Token")
	}
	return ix, nil
}

// webhookMessageLocked resolves @original or a follow-up ID of the
// interaction.
func (s *Server) webhookMessageLocked(call *restCall) (*interaction, *message, *apiError) {
	ix, e := s.webhookLocked(call)
	if e != nil {
		return nil, nil, e
	}
	id := ix.original
	if v := call.param("msg"); v != "" {
		parsed, err := snowflake.Parse(v)
		if err != nil {
			var fe formErrors
			fe.add("NUMBER_TYPE_COERCE", "Value \""+v+"\" is not snowflake.", "message_id")
			return nil, nil, fe.err()
		}
		id = 0
		if parsed == ix.original || containsID(ix.followups, parsed) {
			id = parsed
		}
	}
	m := s.messages[id]
	if id == 0 || m == nil || m.deleted {
		return nil, nil, unknown(10008, "Message")
	}
	return ix, m, nil
}

func containsID(ids []snowflake.ID, id snowflake.ID) bool {
	for _, v := range ids {
		if v == id {
			return true
		}
	}
	return false
}

func (s *Server) getWebhookMessage(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, e := s.webhookMessageLocked(call)
	if e != nil {
		return 0, e
	}
	return http.StatusOK, m.fields
}

func (s *Server) patchWebhookMessage(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, e := s.webhookMessageLocked(call)
	if e != nil {
		return 0, e
	}
	body, e := decodeFields(call.body)
	if e != nil {
		return 0, e
	}
	flags, e := validateMessage(body, false, false, len(call.files), m.flags())
	if e != nil {
		return 0, e
	}
	s.editLocked(m, body, flags)
	return http.StatusOK, m.fields
}

func (s *Server) deleteWebhookMessage(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, m, e := s.webhookMessageLocked(call)
	if e != nil {
		return 0, e
	}
	s.deleteLocked(m)
	return http.StatusNoContent, nil
}

// postFollowup answers POST /webhooks/{app}/{token}. Right after a deferred
// response it edits the loading message instead of posting a new one,
// keeping its ephemeral state, which Discord documents as the (deprecated)
// behaviour of this endpoint.
func (s *Server) postFollowup(call *restCall) (int, any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ix, e := s.webhookLocked(call)
	if e != nil {
		return 0, e
	}
	if !ix.acked {
		return 0, unknown(10015, "Webhook")
	}
	body, e := decodeFields(call.body)
	if e != nil {
		return 0, e
	}
	flags, e := validateMessage(body, true, true, len(call.files), 0)
	if e != nil {
		return 0, e
	}
	if orig := s.messages[ix.original]; orig != nil && orig.loading && !orig.deleted {
		s.editLocked(orig, body, flags)
		ix.followups = append(ix.followups, orig.id)
		return http.StatusOK, orig.fields
	}
	m := s.newMessageLocked(s.channels[ix.channelID], body, flags, int(discord.MessageTypeDefault), call.files, ix)
	ix.followups = append(ix.followups, m.id)
	return http.StatusOK, m.fields
}

// Response waits for the interaction's initial response. It returns
// [ErrInteractionExpired] once the interaction deadline passes without one.
func (i *Interaction) Response(ctx context.Context) (Response, error) {
	s := i.s
	for {
		s.mu.Lock()
		ix := s.interactions[i.id]
		if ix.acked {
			r := s.responses[ix.response]
			s.mu.Unlock()
			return r, nil
		}
		left := s.cfg.interactionDeadline - s.cfg.now().Sub(ix.created)
		ch, closed := s.changed, s.closed
		s.mu.Unlock()
		if closed {
			return Response{}, ErrClosed
		}
		if left < 0 {
			return Response{}, ErrInteractionExpired
		}
		timer := time.NewTimer(left + time.Millisecond)
		select {
		case <-ctx.Done():
			timer.Stop()
			return Response{}, ctx.Err()
		case <-ch:
		case <-timer.C:
		}
		timer.Stop()
	}
}

// Original waits until the interaction's original response is visible to
// the user and returns it: at once after a message response (type 4), after
// the edit of a deferred one (type 5, by PATCH @original or the first
// follow-up), or the updated message after a component update (types 6 and
// 7). It keeps waiting while there is no response yet.
func (i *Interaction) Original(ctx context.Context) (Message, error) {
	s := i.s
	return waitFor(ctx, s, func() (Message, bool, error) {
		ix := s.interactions[i.id]
		m := s.messages[ix.original]
		if m == nil || m.loading {
			return Message{}, false, nil
		}
		return m.public(), true, nil
	})
}

// Followup waits for the interaction's n-th follow-up message (from 0) and
// returns its current state.
func (i *Interaction) Followup(ctx context.Context, n int) (Message, error) {
	s := i.s
	return waitFor(ctx, s, func() (Message, bool, error) {
		ix := s.interactions[i.id]
		if n < 0 || n >= len(ix.followups) {
			return Message{}, false, nil
		}
		return s.messages[ix.followups[n]].public(), true, nil
	})
}

// Followups returns the interaction's follow-up messages so far.
func (i *Interaction) Followups() []Message {
	s := i.s
	s.mu.Lock()
	defer s.mu.Unlock()
	ix := s.interactions[i.id]
	out := make([]Message, 0, len(ix.followups))
	for _, id := range ix.followups {
		out = append(out, s.messages[id].public())
	}
	return out
}

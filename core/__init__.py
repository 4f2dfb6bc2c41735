"""The ground floor: events, payloads and the questionnaire model; imports nothing of ours."""

package deploy

//go:generate go run ../internal/cmd/genrules -o prometheus/alerts.yml

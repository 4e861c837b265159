"""Reads for the back-office. Every function takes the person and scopes through the lower
apps' selectors (`*_for(user=…)`), so a technician's figures are their cooperative's only."""

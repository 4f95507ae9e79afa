-- The public register lists newest first and the officer inbox by due date: let both read only
-- the page they show instead of sorting every row.
CREATE INDEX requests_received ON requests(received_at, id);
CREATE INDEX requests_due ON requests(notice_due, id);
CREATE INDEX requests_state_received ON requests(state, received_at, id);

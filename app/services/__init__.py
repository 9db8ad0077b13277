"""Services: answers reshaped from query results (grouped, labelled, linked), so routes only
parse, call and write out."""

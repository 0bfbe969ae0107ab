"""Every write of the integrations app: endpoints (`endpoints`), emitting events (`emit`), sending
them (`sending`), with the URL rules (`targets`) and signatures (`signing`) they rest on."""

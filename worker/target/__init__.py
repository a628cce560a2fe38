"""The target writer: moves a job's staged data into the new platform's schema."""

"""Demo data of the member register (loaded into the demo co-op by ``coop demo``)."""

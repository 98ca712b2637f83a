#!/bin/sh
echo "Hello from jbuild: this line was written by a RUN step."

#!/usr/bin/env python3
"""Writes core/data/schema/v1.33.fields.json: what server-side apply needs beyond the field
types in v1.33.json, read from the structured-merge-diff schema client-go carries
(applyconfigurations/internal/internal.go at tag v0.33.1, Kubernetes' OpenAPI
x-kubernetes-list-type / x-kubernetes-list-map-keys / x-kubernetes-map-type).

Usage: fieldsgen.py INTERNAL_GO > core/data/schema/v1.33.fields.json

Output (format version 1):
  lists:   {definition: {field: "set" | "map:KEY,KEY"}}   lists not named here are atomic
  atomic:  {definition: [field, ...]}                     maps (additionalProperties) that are atomic
  atomicTypes: [definition, ...]                          structs that are atomic (LabelSelector, ...)
  keyDefaults: {definition: {field: default}}             defaults of list-map key fields
"""
import json
import sys

import yaml


def main(path):
    text = open(path).read()
    start = text.index("typed.YAMLObject(`") + len("typed.YAMLObject(`")
    end = text.index("`)", start)
    doc = yaml.safe_load(text[start:end])
    lists, atomic, atomic_types, key_defaults = {}, {}, [], {}
    by_name = {t["name"]: t for t in doc["types"]}
    needed_keys = set()
    for t in doc["types"]:
        m = t.get("map")
        if m is None:
            continue
        if m.get("elementRelationship") == "atomic" and "fields" in m:
            atomic_types.append(t["name"])
        for f in m.get("fields", []):
            ty = f["type"]
            if "list" in ty:
                rel = ty["list"].get("elementRelationship", "atomic")
                if rel == "associative":
                    keys = ty["list"].get("keys")
                    if keys:
                        lists.setdefault(t["name"], {})[f["name"]] = "map:" + ",".join(keys)
                        elem = ty["list"]["elementType"].get("namedType")
                        if elem:
                            needed_keys.update((elem, k) for k in keys)
                    else:
                        lists.setdefault(t["name"], {})[f["name"]] = "set"
            elif "map" in ty and ty["map"].get("elementRelationship") == "atomic":
                atomic.setdefault(t["name"], []).append(f["name"])
    for elem, key in sorted(needed_keys):
        for f in by_name.get(elem, {}).get("map", {}).get("fields", []):
            if f["name"] == key and "default" in f:
                key_defaults.setdefault(elem, {})[key] = f["default"]
    out = {"version": 1, "lists": lists, "atomic": atomic, "atomicTypes": sorted(atomic_types), "keyDefaults": key_defaults}
    json.dump(out, sys.stdout, sort_keys=True, separators=(",", ":"))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main(sys.argv[1])

"""kg.graph"""

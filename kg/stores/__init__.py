"""kg.stores"""

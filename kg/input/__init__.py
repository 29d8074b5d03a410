"""kg.input"""
